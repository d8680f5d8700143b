using NoDb.Runtime.Tests.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Instances;

[CollectionDefinition(nameof(RuntimeOptionsCollection), DisableParallelization = true)]
public sealed class RuntimeOptionsCollection;

/// <summary>Reconfigures the process-wide runtime, so it runs alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class RefreshIntervalTests : IDisposable
{
    public RefreshIntervalTests() => TestRuntime.Configure(o => o.RefreshInterval = TimeSpan.FromHours(1));

    public void Dispose() => TestRuntime.Configure();

    [Fact]
    public async Task Within_the_refresh_interval_GetInstance_serves_the_cache_and_a_lock_still_reads_the_disk()
    {
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
