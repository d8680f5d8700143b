using NoDb.Redis.Tests.Support;
using NoDb.Runtime.Tests.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>The cache never lies: a cold load serves only this run's document as it is on disk now.</summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class CacheTruthTests
{
    private static IDatabase Redis() => ConnectionMultiplexer.Connect(TestRuntime.RedisConfiguration).GetDatabase();

    private static void Forget(string directory) => NoDb.Infrastructure.NoDbController<Climate>.Forget(directory);

    [Fact]
    public async Task Two_runs_with_the_same_run_id_under_different_parents_share_no_lock_and_no_cache_entry()
    {
        using var first = new TestRun();
        string secondRoot = Directory.CreateTempSubdirectory("nodb-twin-").FullName;
        string second = Path.Join(secondRoot, first.RunId);
        Directory.CreateDirectory(second);
        try
        {
            Climate a = first.CreateClimate(stationId: "FIRST");
            Climate b = Climate.Create(second, c => c.StationId = "SECOND");
            Assert.NotEqual(RedisTestKeys.Of(first.Directory).Lock, RedisTestKeys.Of(second).Lock);

            await using (await a.LockAsync())
            {
                NoDbLockScope? other = await b.TryLockAsync();
                Assert.NotNull(other);
                await other.DisposeAsync();
            }

            Forget(second);
            Assert.Equal("SECOND", Climate.GetInstance(second).StationId);
        }
        finally
        {
            Directory.Delete(secondRoot, recursive: true);
        }
    }

    [Fact]
    public async Task The_same_run_through_a_symbolic_link_has_one_lock()
    {
        using var run = new TestRun();
        Climate direct = run.CreateClimate();
        string alias = Path.Join(Path.GetDirectoryName(run.Directory)!, "alias-" + run.RunId);
        Directory.CreateSymbolicLink(alias, run.Directory);
        Climate throughLink = Climate.GetInstance(alias);

        await using (await direct.LockAsync())
        {
            Assert.Null(await throughLink.TryLockAsync());
        }
    }

    [Fact]
    public async Task A_hand_edit_after_the_last_commit_is_what_a_fresh_process_reads_not_the_cached_body()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "CACHED");
        await climate.UpdateAsync(c => c.Counter = 1);
        IDatabase redis = Redis();
        await Eventually.True(() => redis.KeyExists(RedisTestKeys.Of(run.Directory).Document));

        run.WriteClimateText("""{ "stationId": "HAND", "Counter": 1 }""");
        Forget(run.Directory);

        Assert.Equal("HAND", Climate.GetInstance(run.Directory).StationId);
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
