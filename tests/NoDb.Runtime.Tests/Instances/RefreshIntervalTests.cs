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
}
