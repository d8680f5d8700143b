using Microsoft.Extensions.Time.Testing;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Instances;

/// <summary>
/// The refresh throttle on the embedded backend, where nothing but the interval makes GetInstance look at the disk. (On
/// Redis a change notice does, even one of this process's own commit, so there a hand edit may be seen at once; the
/// contract's InstanceRegistryTests asserts the part every backend shares: a lock always reads the disk.)
/// </summary>
public sealed class RefreshIntervalTests(FileLocksFixture files) : BackendTest(files)
{
    [Fact]
    public async Task Within_the_refresh_interval_GetInstance_serves_the_cache_and_a_lock_still_reads_the_disk()
    {
        using IDisposable throttled = Backend.BindNew(o => o.RefreshInterval = TimeSpan.FromHours(1));
        using var run = new TestRun();
        Climate cached = run.CreateClimate(stationId: "CACHED");
        run.WriteClimateText("""{ "stationId": "ON-DISK" }""");

        // Hot path: no disk access within the interval, so the external change is not seen yet.
        Assert.Same(cached, Climate.GetInstance(run.Directory));
        Assert.Equal("CACHED", cached.StationId);

        // Taking the lock always brings the instance up to date with the disk.
        await using (await cached.LockAsync())
        {
            Assert.Equal("ON-DISK", cached.StationId);
        }
    }

    [Fact]
    public void A_cached_instance_is_trusted_until_the_interval_ends_and_checked_against_the_disk_at_the_next_use()
    {
        var clock = new FakeTimeProvider();
        using IDisposable bound = Backend.BindNew(o =>
        {
            o.RefreshInterval = TimeSpan.FromSeconds(1);
            o.TimeProvider = clock;
        });
        using var run = new TestRun();
        Climate cached = run.CreateClimate(stationId: "CACHED");
        run.WriteClimateText("""{ "stationId": "ON-DISK" }""");

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Same(cached, Climate.GetInstance(run.Directory));
        Assert.Equal("CACHED", cached.StationId);

        clock.Advance(TimeSpan.FromMilliseconds(1)); // the interval ends: what was trusted is checked at its next use
        Assert.Same(cached, Climate.GetInstance(run.Directory));
        Assert.Equal("ON-DISK", cached.StationId);

        run.WriteClimateText("""{ "stationId": "EDITED-AGAIN" }""");
        Assert.Equal("ON-DISK", Climate.GetInstance(run.Directory).StationId); // trusted again for the new interval
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("EDITED-AGAIN", Climate.GetInstance(run.Directory).StationId);
    }

    [Fact]
    public async Task A_process_that_reconfigures_gets_the_new_engines_instance_and_then_caches_that_one()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "S1");

        // In a process that binds no flow (this one does), the cached path reads the engine in force through one static.
        using WorkerProcess worker = Backend.StartWorker("reconfigure", run.Directory);
        Assert.Equal("old engine: same, new engine: another instance, then same", await worker.ReadLineAsync(TestTimeouts.Patience));
        Assert.Equal(0, await worker.WaitForExitAsync(TestTimeouts.Patience));
    }
}
