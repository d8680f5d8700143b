using NoDb.Locking;
using NoDb.Locking.Redis;
using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// Two connections to a three-master Redis Cluster, as two processes would have: every script keeps one document's keys in
/// one slot. (Every contract suite of NoDb.Backends.Tests also runs on a cluster.)
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisClusterTests(RedisClusterFixture cluster) : BackendTest(cluster), IClassFixture<RedisClusterFixture>
{
    private readonly string _configuration = cluster.Cluster.Configuration;

    [Fact]
    public async Task Locks_commits_waiting_hand_over_and_force_unlock_work_on_a_cluster()
    {
        using var run = new TestRun();
        run.CreateClimate();

        // Contenders wait for each other and lose nothing.
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
            await Climate.GetInstance(run.Directory).UpdateAsync(c => c.Counter++)))).Within();
        Assert.Equal(5, Climate.LoadDetached(run.Directory).Counter);

        // Two connections, as two processes would have: the second waits and wakes on the published release.
        using ConnectionMultiplexer first = await ConnectionMultiplexer.ConnectAsync(_configuration);
        using ConnectionMultiplexer second = await ConnectionMultiplexer.ConnectAsync(_configuration);
        var a = new RedisLockBackend(first, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        var b = new RedisLockBackend(second, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        var target = new LockTarget(run.Directory, "climate.nodb");

        ILockLease held = (await a.TryAcquireAsync(target, CancellationToken.None))!;
        Assert.Null(await b.TryAcquireAsync(target, CancellationToken.None));
        Task<ILockLease> waiter = b.AcquireAsync(target, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        held.Release();
        ILockLease next = await waiter.Within();
        Assert.True(next.FencingNumber > held.FencingNumber);

        // The waiter queue: its keys share the lock's slot, and a holder that releases goes behind a queued waiter.
        RedisKeys keys;
        using (var run0 = NoDb.Storage.RunDirectory.Open(run.Directory))
        using (var state = run0.OpenStateFolder(create: false)!)
        {
            keys = new RedisKeys(NoDb.Storage.RunIdentity.TryOf(run0, state)!, "climate.nodb");
        }

        Assert.Single(keys.LockScriptKeys.Select(k => first.HashSlot(k)).Distinct());
        Task<ILockLease> queued = a.AcquireAsync(target, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        await Eventually.True(async () => await first.GetDatabase().SortedSetLengthAsync(keys.Queue) == 1);
        await next.ReleaseAsync();
        Task<ILockLease> again = b.AcquireAsync(target, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        ILockLease third = await queued.Within();
        Assert.False(again.IsCompleted);
        await third.ReleaseAsync();
        next = await again.Within();
        Assert.True(next.FencingNumber > third.FencingNumber);

        // Force unlock from the other connection fences the holder out: its next write is refused.
        await a.ForceUnlockAsync(target, CancellationToken.None);
        Assert.False(await b.IsLockedAsync(target, CancellationToken.None));
        using var directory = NoDb.Storage.RunDirectory.Open(run.Directory);
        await Assert.ThrowsAsync<NoDbLockLostException>(async () =>
            await next.CommitFencedAsync(directory, () => Assert.Fail("a fenced-out holder must not write"),
                new NoDb.Locking.FileLocks.FenceWait(TimeSpan.FromSeconds(5), Synchronous: false, CancellationToken.None)));
    }
}
