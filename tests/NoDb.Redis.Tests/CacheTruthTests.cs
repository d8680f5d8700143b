using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// The cache never lies: a cold load serves only this run's document as it is on disk now. (What holds on every backend,
/// a hand edit after the last commit, twin run ids, a run through a symbolic link, is in the contract's InstanceRegistryTests.)
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class CacheTruthTests(RedisFixture fixture) : BackendTest(fixture)
{
    private IDatabase Redis() => fixture.Database;

    private static void Forget(string directory) => NoDb.Infrastructure.NoDbController<Climate>.Forget(directory);

    [Fact]
    public void Two_runs_with_the_same_run_id_under_different_parents_have_different_keys()
    {
        using var first = new TestRun();
        string secondRoot = Directory.CreateTempSubdirectory("nodb-twin-").FullName;
        string second = Path.Join(secondRoot, first.RunId);
        Directory.CreateDirectory(second);
        try
        {
            first.CreateClimate(stationId: "FIRST");
            Climate.Create(second, c => c.StationId = "SECOND");

            Assert.NotEqual(RedisTestKeys.Of(first.Directory).Lock, RedisTestKeys.Of(second).Lock);
            Assert.NotEqual(RedisTestKeys.Of(first.Directory).Document, RedisTestKeys.Of(second).Document);
        }
        finally
        {
            Directory.Delete(secondRoot, recursive: true);
        }
    }

    [Fact]
    public async Task A_body_put_into_the_cache_by_hand_is_never_served_even_with_a_current_fence_and_stamp()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "TRUE");
        await climate.UpdateAsync(c => c.Counter = 1);
        IDatabase redis = Redis();
        RedisKey document = RedisTestKeys.Of(run.Directory).Document;
        await Eventually.True(() => redis.KeyExists(document));

        // Everything but the signature, which only the run's key can make.
        redis.HashSet(document, "body", """{ "stationId": "PLANTED", "Counter": 666 }""");
        Forget(run.Directory);

        Climate loaded = Climate.GetInstance(run.Directory);
        Assert.Equal("TRUE", loaded.StationId);
        Assert.Equal(1, loaded.Counter);
    }
}
