using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.Locking.Redis;
using NoDb.Redis.Tests.Support;
using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// Failover under Redis Sentinel: NoDb is given the Sentinel's endpoint and <c>serviceName=</c>, the primary is killed
/// in the middle of a scope, and the Sentinel promotes the replica. Servers are killed and promoted, so this class runs alone.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisSentinelTests : BackendTest
{
    private readonly RedisSentinelSet _set = new();
    private readonly ITestOutputHelper _output;

    /// <summary>Each test binds an engine of the Redis test options on the Sentinel (<see cref="OnTheSentinel"/>).</summary>
    public RedisSentinelTests(RedisFixture redis, ITestOutputHelper output)
        : base(redis) => _output = output;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _set.Dispose();
        }
    }

    /// <summary>The Redis test options, on the Sentinel's endpoint and service name instead of the fixture's server.</summary>
    private IDisposable OnTheSentinel(Action<NoDbOptions>? extra = null) => Backend.BindNew(o =>
    {
        o.UseRedis(_set.Configuration);
        extra?.Invoke(o);
    });

    [Fact]
    public async Task A_holder_whose_lease_lapses_in_a_failover_is_told_so_writes_nothing_and_the_waiter_proceeds_on_the_promoted_replica()
    {
        using var run = new TestRun();
        using IDisposable sentinel = OnTheSentinel();
        Climate climate = run.CreateClimate(stationId: "S1", counter: 1);

        NoDbLockScope scope = await climate.LockAsync();
        climate.StationId = "LAPSED";

        // Another process waits for the lock, through the same Sentinel.
        using WorkerProcess waiter = WorkerProcess.StartWith(
            new Dictionary<string, string> { [NoDbOptions.RedisEnvironmentVariable] = _set.Configuration }, "increment", run.Directory, "1");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        _set.Primary.Kill();
        await _set.PromotedAsync().Within();
        _output.WriteLine($"promoted {clock.Elapsed}");

        // Asynchronous replication may lose the last writes: here the promoted replica lost the lease and the fence
        // counter, the worst case. The next holder's number comes from the disk, so it is still larger.
        using (ConnectionMultiplexer promoted = await ConnectionMultiplexer.ConnectAsync(_set.Replica.Configuration))
        {
            var keys = RedisTestKeys.Of(run.Directory);
            await promoted.GetDatabase().KeyDeleteAsync([keys.Lock, keys.Fence]);
        }

        Assert.Equal("done", await waiter.ReadLineAsync(TimeSpan.FromSeconds(30)));
        _output.WriteLine($"waiter done {clock.Elapsed}");
        Assert.True(RedisTestKeys.FenceOnDisk(run.Directory) > scope.Token.FencingNumber);

        // The lapsed holder is told, and its write never lands.
        await scope.LockLost.WhenCancelled().Within();
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
        Climate onDisk = Climate.LoadDetached(run.Directory);
        Assert.Equal("S1", onDisk.StationId);
        Assert.Equal(2, onDisk.Counter);
    }

    [Fact]
    public async Task A_holder_whose_lease_outlives_the_failover_keeps_it_or_is_told_it_lost_it_and_the_waiter_follows()
    {
        using var run = new TestRun();
        using IDisposable sentinel = OnTheSentinel(o => o.LeaseDuration = TimeSpan.FromSeconds(15)); // far longer than the failover
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 10;

        // The lease has reached the replica, as it almost always has by the time a primary dies.
        using (ConnectionMultiplexer replica = await ConnectionMultiplexer.ConnectAsync(_set.Replica.Configuration))
        {
            var keys = RedisTestKeys.Of(run.Directory);
            await Eventually.True(async () => await replica.GetDatabase().KeyExistsAsync(keys.Lock));
        }

        using WorkerProcess waiter = WorkerProcess.StartWith(
            new Dictionary<string, string> { [NoDbOptions.RedisEnvironmentVariable] = _set.Configuration }, "increment", run.Directory, "1");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _set.Primary.Kill();
        await _set.PromotedAsync().Within();
        _output.WriteLine($"promoted {clock.Elapsed}");

        // Kept (renewed on the promoted replica) and committed, or lost and told: never a silent overwrite.
        bool committed;
        try
        {
            await scope.DisposeAsync();
            committed = true;
            _output.WriteLine("The holder kept its lease through the failover and committed.");
        }
        catch (NoDbLockLostException e)
        {
            _output.WriteLine($"The holder was told it lost its lease: {e.Message}");
            Assert.True(scope.LockLost.IsCancellationRequested);
            committed = false;
        }

        _output.WriteLine($"holder done {clock.Elapsed}");
        Assert.Equal("done", await waiter.ReadLineAsync(TimeSpan.FromSeconds(30)));
        _output.WriteLine($"waiter done {clock.Elapsed}");
        Assert.Equal(committed ? 11 : 2, Climate.LoadDetached(run.Directory).Counter);
    }
}
