using NoDb.Engine;
using NoDb.Locking.Redis;
using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// Commit notices mark other processes' cached instances stale, never the committer's own: its instance is up to date.
/// The run here is created by the process-wide (file-lock) runtime, so it has no identity until the first Redis lock: the
/// instance loaded before must still be found by the notices that name it afterwards. The lookups counter sees the whole
/// process, so these run alone.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisChangeNoticeTests(RedisFixture fixture)
{
    private NoDbEngine NewEngine()
    {
        var options = new NoDbOptions { RefreshInterval = TimeSpan.FromHours(1), LeaseCheckInterval = BackendFixture.LeaseCheckInterval };
        options.UseRedis(fixture.Server.Configuration);
        return new NoDbEngine(options);
    }

    /// <summary>
    /// Completes when the next commit notice reaches this multiplexer. Its handler is added after the engines' own, and
    /// the handlers of one channel run in the order they were added, so by then the engines have seen the notice too.
    /// </summary>
    private static async Task<Task> NextNoticeAsync(IConnectionMultiplexer redis)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ISubscriber subscriber = redis.GetSubscriber();
        var channel = RedisChannel.Literal(RedisKeys.ChangedChannel);
        Action<RedisChannel, RedisValue>? handler = null;
        handler = (_, _) =>
        {
            seen.TrySetResult();
            subscriber.Unsubscribe(channel, handler, CommandFlags.FireAndForget);
        };
        await subscriber.SubscribeAsync(channel, handler);
        return seen.Task;
    }

    [Fact]
    public async Task Its_own_commit_leaves_an_instance_fresh_and_another_engines_commit_makes_it_refresh()
    {
        using var run = new TestRun();
        run.CreateClimate(counter: 1);
        using NoDbEngine mine = NewEngine();
        using NoDbEngine theirs = NewEngine();
        IConnectionMultiplexer redis = ((RedisLockBackend)mine.Locks).Redis;
        using var recorder = new TelemetryRecorder();

        Climate climate;
        using (NoDbRuntime.Bind(mine))
        {
            climate = Climate.GetInstance(run.Directory);
            Task notice = await NextNoticeAsync(redis);
            await climate.UpdateAsync(c => c.Counter = 2).Within();
            await notice.Within();

            IReadOnlyDictionary<(string?, string?, string?), double> before = recorder.Lookups();
            Assert.Same(climate, Climate.GetInstance(run.Directory));
            IReadOnlyDictionary<(string?, string?, string?), double> after = recorder.Lookups();
            Assert.True(Delta(before, after, "hit") == 1 && Delta(before, after, "refreshed") == 0, Deltas(before, after));
        }

        using (NoDbRuntime.Bind(theirs))
        {
            Task notice = await NextNoticeAsync(redis);
            await Climate.LoadDetached(run.Directory).UpdateAsync(c => c.Counter = 3).Within();
            await notice.Within();
        }

        using (NoDbRuntime.Bind(mine))
        {
            IReadOnlyDictionary<(string?, string?, string?), double> before = recorder.Lookups();
            Assert.Same(climate, Climate.GetInstance(run.Directory));
            IReadOnlyDictionary<(string?, string?, string?), double> after = recorder.Lookups();
            Assert.True(Delta(before, after, "refreshed") == 1, Deltas(before, after));
            Assert.Equal(3, climate.Counter);
        }
    }

    private static string Deltas(IReadOnlyDictionary<(string?, string?, string?), double> before, IReadOnlyDictionary<(string?, string?, string?), double> after) =>
        string.Join(", ", after.Select(kv => $"{kv.Key}={kv.Value - before.GetValueOrDefault(kv.Key)}"));

    private static double Delta(
        IReadOnlyDictionary<(string?, string?, string?), double> before, IReadOnlyDictionary<(string?, string?, string?), double> after, string result) =>
        after.GetValueOrDefault(("climate.nodb", "redis", result)) - before.GetValueOrDefault(("climate.nodb", "redis", result));
}
