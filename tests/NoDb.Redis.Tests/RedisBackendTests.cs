using System.Diagnostics;
using System.Globalization;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Redis.Tests;

[CollectionDefinition(nameof(WholeRedisCollection), DisableParallelization = true)]
public sealed class WholeRedisCollection;

/// <summary>
/// What only the Redis backend has to prove: leases that lapse, paused holders, restarts. Some tests flush the whole
/// server, so this class runs alone.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisBackendTests(RedisFixture fixture) : BackendTest(fixture)
{
    [Fact]
    public async Task A_holder_paused_past_its_lease_while_another_commits_is_refused_and_the_newer_state_stays()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "ORIGINAL");
        using WorkerProcess paused = Backend.StartWorker("stale-write", run.Directory);
        long staleFence = long.Parse((await paused.ReadLineAsync(TestTimeouts.Patience)).Split(' ')[1], CultureInfo.InvariantCulture);

        // Stop the holder (as a GC pause or a frozen VM would): its lease is no longer renewed and runs out.
        Signal("STOP", paused.Id);
        try
        {
            Climate climate = Climate.GetInstance(run.Directory);
            await using (NoDbLockScope scope = await climate.LockAsync(TimeSpan.FromSeconds(30)).Within())
            {
                Assert.True(scope.Token.FencingNumber > staleFence);
                climate.StationId = "NEWER";
            }
        }
        finally
        {
            Signal("CONT", paused.Id);
        }

        await paused.WriteLineAsync("go");
        Assert.Equal($"refused {staleFence}", await paused.ReadLineAsync(TestTimeouts.Patience));
        Assert.Equal("NEWER", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task Fencing_numbers_never_go_backwards_when_redis_loses_its_counters()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockToken before = await climate.AcquireLockAsync();
        await climate.UnlockAsync(before);

        // A Redis that restarted without persistence has no counters: the next number is seeded from the disk.
        await fixture.Admin.FlushAllDatabasesAsync();
        NoDbLockToken after = await climate.AcquireLockAsync();
        await climate.UnlockAsync(after);

        Assert.True(after.FencingNumber > before.FencingNumber);
    }

    [Fact]
    public async Task A_lease_lost_in_redis_mid_scope_refuses_the_persist_and_writes_nothing()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 2;

        // Everything in Redis is gone (a restart, a failover to a replica that had not seen the lease).
        await fixture.Admin.FlushAllDatabasesAsync();

        var error = await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
        Assert.Contains("Redis lease", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        Assert.Equal(1, climate.Counter);
    }

    private static void Signal(string signal, int pid)
    {
        using Process kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task A_commit_caches_the_document_with_its_fence_and_an_older_one_never_replaces_it()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "CACHED");
        await climate.UpdateAsync(c => c.Counter = 7);
        StackExchange.Redis.IDatabase redis = Redis();
        var keys = RedisTestKeys.Of(run.Directory);

        await Eventually.True(() => redis.HashGet(keys.Document, "body").ToString() == File.ReadAllText(run.ClimatePath));
        long cachedFence = (long)redis.HashGet(keys.Document, "fence");
        Assert.True(redis.KeyTimeToLive(keys.Document) > TimeSpan.FromHours(71));

        // A stale holder's late cache write (a smaller fence) changes nothing.
        await redis.ScriptEvaluateAsync(NoDb.Locking.Redis.RedisScripts.CacheCommitted, [keys.Document],
            [cachedFence - 1, "{ \"Counter\": -1 }", 60, "nodb:test", run.ClimatePath]);
        Assert.Equal(cachedFence, (long)redis.HashGet(keys.Document, "fence"));
        Assert.Equal(File.ReadAllText(run.ClimatePath), redis.HashGet(keys.Document, "body").ToString());
    }

    [Fact]
    public async Task A_cold_load_uses_a_current_cache_entry_and_a_corrupt_one_is_deleted_for_the_disk()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "ON-DISK");
        StackExchange.Redis.IDatabase redis = Redis();
        var keys = RedisTestKeys.Of(run.Directory);
        await Eventually.True(() => redis.KeyExists(keys.Document));

        redis.HashSet(keys.Document, "body", "{ not json");
        NoDb.Infrastructure.NoDbController<Climate>.Forget(run.Directory);

        Assert.Equal("ON-DISK", Climate.GetInstance(run.Directory).StationId);
        Assert.False(redis.KeyExists(keys.Document));
    }

    [Fact]
    public async Task A_commit_in_another_process_refreshes_the_cached_instance_through_the_change_notice()
    {
        using var run = new TestRun();
        run.CreateClimate();

        // Without notices, an hour would pass before this process looked at the disk again.
        using IDisposable throttled = Backend.BindNew(o => o.RefreshInterval = TimeSpan.FromHours(1));
        Climate cached = Climate.GetInstance(run.Directory);
        using (WorkerProcess other = Backend.StartWorker("increment", run.Directory, "3"))
        {
            Assert.Equal("done", await other.ReadLineAsync(TestTimeouts.Patience));
        }

        await Eventually.True(() => Climate.GetInstance(run.Directory).Counter == 3);
        Assert.Same(cached, Climate.GetInstance(run.Directory));
    }

    private StackExchange.Redis.IDatabase Redis() => fixture.Database;

    [Fact]
    public async Task Redis_restarted_in_the_middle_of_a_scope_gives_a_clear_error_writes_nothing_and_reconnects()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 2;

        fixture.Server.Restart();

        var error = await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
        Assert.Contains(run.ClimatePath, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);

        // The connection comes back by itself; the next change goes through.
        await Eventually.True(async () =>
        {
            try
            {
                await climate.UpdateAsync(c => c.Counter = 3);
                return true;
            }
            catch (StackExchange.Redis.RedisException)
            {
                return false;
            }
        });
        Assert.Equal(3, Climate.LoadDetached(run.Directory).Counter);
        // The test's own connection to the server is back too, for the tests that follow.
        await Eventually.True(() => fixture.Database.Multiplexer.IsConnected);
    }

    [Fact]
    public async Task The_same_document_through_a_symlinked_working_directory_is_one_lock()
    {
        using var run = new TestRun();
        run.CreateClimate();
        string alias = Path.Join(Path.GetTempPath(), $"nodb-alias-{Guid.NewGuid():N}");
        Directory.CreateDirectory(alias);
        string linked = Path.Join(alias, run.RunId);
        Directory.CreateSymbolicLink(linked, run.Directory);
        try
        {
            using StackExchange.Redis.ConnectionMultiplexer one = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration);
            using StackExchange.Redis.ConnectionMultiplexer two = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration);
            var here = new NoDb.Locking.Redis.RedisLockBackend(one, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
            var elsewhere = new NoDb.Locking.Redis.RedisLockBackend(two, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));

            NoDb.Locking.ILockLease held = (await here.TryAcquireAsync(new NoDb.Locking.LockTarget(run.Directory, "climate.nodb"), CancellationToken.None))!;
            Assert.Null(await elsewhere.TryAcquireAsync(new NoDb.Locking.LockTarget(linked, "climate.nodb"), CancellationToken.None));
            held.Release();
        }
        finally
        {
            Directory.Delete(linked);
            Directory.Delete(alias);
        }
    }

    [Fact]
    public async Task Fencing_numbers_grow_even_after_the_disk_fence_and_redis_are_both_wiped()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockToken before = await climate.AcquireLockAsync();
        await climate.UnlockAsync(before);

        Directory.Delete(Path.Join(run.Directory, ".nodb"), recursive: true);
        await fixture.Admin.FlushAllDatabasesAsync();
        NoDbLockToken after = await climate.AcquireLockAsync();
        await climate.UnlockAsync(after);

        Assert.True(after.FencingNumber > before.FencingNumber);
    }

    [Fact]
    public async Task A_frozen_redis_fails_an_acquisition_with_its_own_timeout_and_leaves_no_ghost_lock()
    {
        using var run = new TestRun();
        run.CreateClimate();
        using IDisposable quickTimeouts = Backend.BindNew(o => o.UseRedis($"{fixture.Server.Configuration},asyncTimeout=500,syncTimeout=500"));
        Climate climate = Climate.GetInstance(run.Directory);
        Signal("STOP", fixture.Server.ProcessId);
        try
        {
            // Not a NoDbLockTimeoutException: the lock was never found held; Redis did not answer.
            await Assert.ThrowsAsync<StackExchange.Redis.RedisTimeoutException>(async () => await climate.LockAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Signal("CONT", fixture.Server.ProcessId);
        }

        // The acquisition may have run once Redis resumed; its owner gave it back, so the lock is free.
        await Eventually.True(async () =>
        {
            try
            {
                if (await climate.TryLockAsync() is not { } scope)
                {
                    return false;
                }

                await scope.DisposeAsync();
                return true;
            }
            catch (StackExchange.Redis.RedisTimeoutException)
            {
                return false;
            }
        });
    }

    [Fact]
    public async Task A_holder_whose_redis_stalls_past_the_lease_is_told_it_lost_the_lock()
    {
        using var run = new TestRun();
        run.CreateClimate();
        using IDisposable quickTimeouts = Backend.BindNew(o => o.UseRedis($"{fixture.Server.Configuration},asyncTimeout=500,syncTimeout=500"));
        NoDbLockScope scope = await Climate.GetInstance(run.Directory).LockAsync();
        Signal("STOP", fixture.Server.ProcessId);
        try
        {
            await scope.LockLost.WhenCancelled().Within();
        }
        finally
        {
            Signal("CONT", fixture.Server.ProcessId);
        }

        Climate.GetInstance(run.Directory).Counter = 5;
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
        Assert.Equal(0, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_cache_read_creates_no_files()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "CACHED");
        StackExchange.Redis.IDatabase redis = Redis();
        var keys = RedisTestKeys.Of(run.Directory);
        await Eventually.True(() => redis.KeyExists(keys.Document));
        Directory.Delete(Path.Join(run.Directory, ".nodb"), recursive: true);
        NoDb.Infrastructure.NoDbController<Climate>.Forget(run.Directory);

        Assert.Equal("CACHED", Climate.GetInstance(run.Directory).StationId);
        Assert.False(Directory.Exists(Path.Join(run.Directory, ".nodb")));
    }
}
