using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Redis.Tests;

/// <summary>The Redis document cache's reads, as <c>nodb.cache.reads</c> counts them. The listener sees the whole process, so it runs alone.</summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisTelemetryTests(RedisFixture fixture) : BackendTest(fixture)
{
    [Fact]
    public async Task A_cold_load_counts_a_cache_hit_and_after_a_hand_edit_a_stale_read()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        await climate.UpdateAsync(c => c.Counter = 2).Within();
        using var recorder = new TelemetryRecorder();

        using (Backend.BindNew()) // a new engine: nothing cached in this process, so GetInstance asks the cache
        {
            Assert.Equal(2, Climate.GetInstance(run.Directory).Counter);
        }

        using IDisposable another = Backend.BindNew();
        run.WriteClimateText("""{ "stationId": "S1", "Counter": 7 }""");
        Assert.Equal(7, Climate.GetInstance(run.Directory).Counter);

        TelemetryRecorder.Measurement[] reads = [.. recorder.Of("nodb.cache.reads")];
        Assert.Equal(new[] { "hit", "stale" }, reads.Select(m => m.Tag("nodb.result")).ToArray());
        Assert.All(reads, m => Assert.Equal("redis", m.Tag("nodb.backend")));
        Assert.All(reads, m => Assert.Equal("climate.nodb", m.Tag("nodb.document")));
    }
}
