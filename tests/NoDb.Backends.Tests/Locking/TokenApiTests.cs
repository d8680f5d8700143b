using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Locking;

public abstract class TokenApiTests(BackendFixture backend) : BackendTest(backend)
{
    [Fact]
    public async Task DumpAndUnlock_persists_and_releases()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        NoDbLockToken token = await climate.AcquireLockAsync();
        climate.Counter = 7;
        await climate.DumpAndUnlockAsync(token);

        Assert.Equal(7, Climate.LoadDetached(run.Directory).Counter);
        Assert.False(await climate.IsLockedAsync());
    }

    [Fact]
    public async Task Dump_persists_and_keeps_the_lock()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        NoDbLockToken token = await climate.AcquireLockAsync();
        climate.Counter = 1;
        await climate.DumpAsync(token);

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        Assert.True(await climate.IsLockedAsync());
        await climate.UnlockAsync(token);
        Assert.False(await climate.IsLockedAsync());
    }

    [Fact]
    public async Task Unlock_without_dump_discards_unsaved_changes()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "KEPT");

        NoDbLockToken token = await climate.AcquireLockAsync();
        climate.StationId = "DISCARDED";
        await climate.UnlockAsync(token);

        Assert.Equal("KEPT", climate.StationId);
        Assert.Equal("KEPT", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task A_token_names_its_controller_and_fencing_numbers_only_grow()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        NoDbLockToken first = await climate.AcquireLockAsync();
        await climate.UnlockAsync(first);
        NoDbLockToken second = await climate.AcquireLockAsync();
        await climate.UnlockAsync(second);

        Assert.Equal("climate.nodb", second.FileName);
        Assert.Equal(run.ClimatePath, second.FilePath);
        Assert.True(second.FencingNumber > first.FencingNumber);
        Assert.NotEqual(first, second);
        Assert.EndsWith($"#{second.FencingNumber}", second.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_of_another_controller_is_refused_and_changes_nothing()
    {
        using var runA = new TestRun();
        using var runB = new TestRun();
        Climate a = runA.CreateClimate();
        Climate b = runB.CreateClimate();

        NoDbLockToken tokenOfA = await a.AcquireLockAsync();
        NoDbLockToken tokenOfB = await b.AcquireLockAsync();
        b.Counter = 5;

        var error = await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await a.UnlockAsync(tokenOfB));
        Assert.Contains(runB.ClimatePath, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await a.DumpAsync(tokenOfB));
        await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await a.DumpAndUnlockAsync(tokenOfB));

        // Both locks are still held by their own tokens.
        Assert.True(await a.IsLockedAsync());
        Assert.True(await b.IsLockedAsync());
        await a.UnlockAsync(tokenOfA);
        await b.DumpAndUnlockAsync(tokenOfB);
        Assert.Equal(5, Climate.LoadDetached(runB.Directory).Counter);
    }

    [Fact]
    public async Task A_token_of_a_detached_copy_does_not_unlock_the_cached_instance()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate();
        Climate detached = Climate.LoadDetached(run.Directory);

        NoDbLockToken token = await detached.AcquireLockAsync();

        await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await cached.UnlockAsync(token));
        await detached.UnlockAsync(token);
    }

    [Fact]
    public async Task An_empty_or_released_token_is_refused()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await climate.UnlockAsync(default));

        NoDbLockToken released = await climate.AcquireLockAsync();
        await climate.UnlockAsync(released);
        var error = await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await climate.DumpAsync(released));
        Assert.Contains("already released", error.Message, StringComparison.Ordinal);
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : TokenApiTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : TokenApiTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : TokenApiTests(backend);
}
