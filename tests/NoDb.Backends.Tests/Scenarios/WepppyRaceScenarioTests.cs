using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Scenarios;

/// <summary>
/// The race scenarios of wepppy's NoDb, ported with their names, on every backend. Where wepppy relied on a Redis TTL,
/// the scenarios assert what holds on all of them: a live holder's lease is kept (renewed on Redis; on the embedded
/// backend the lease is the OS lock itself, which ends when the holder dies and never expires under a live holder), and
/// a lease taken away is lost.
/// </summary>
public abstract class WepppyRaceScenarioTests(BackendFixture backend) : BackendTest(backend)
{
    private const int Contenders = 5;

    [Fact]
    public async Task Thundering_herd_try_lock_has_exactly_one_winner()
    {
        using var run = new TestRun();
        run.CreateClimate();
        using var start = new ManualResetEventSlim();

        Task<NoDbLockScope?>[] attempts = Enumerable.Range(0, Contenders)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await Climate.GetInstance(run.Directory).TryLockAsync();
            }))
            .ToArray();
        start.Set();
        NoDbLockScope?[] results = await Task.WhenAll(attempts).Within();

        NoDbLockScope winner = Assert.Single(results, r => r is not null)!;
        await winner.DisposeAsync();
    }

    [Fact]
    public async Task Thundering_herd_lock_async_all_succeed_one_after_another()
    {
        using var run = new TestRun();
        run.CreateClimate();
        int inside = 0;
        int mostInside = 0;

        await Task.WhenAll(Enumerable.Range(0, Contenders).Select(_ => Task.Run(async () =>
        {
            Climate climate = Climate.GetInstance(run.Directory);
            await using (await climate.LockAsync())
            {
                int now = Interlocked.Increment(ref inside);
                InterlockedMax(ref mostInside, now);
                climate.Counter++;
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }))).Within();

        Assert.Equal(1, mostInside);
        Assert.Equal(Contenders, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Rapid_sequential_without_delays_all_succeed()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        for (int i = 0; i < 100; i++)
        {
            await using (await climate.LockAsync())
            {
                climate.Counter++;
            }
        }

        Assert.Equal(100, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Rapid_sequential_with_delays_all_succeed()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        for (int i = 0; i < 20; i++)
        {
            await climate.UpdateAsync(c => c.Years.Add(i));
            await Task.Delay(5); // think time between requests, not synchronisation
        }

        Assert.Equal(Enumerable.Range(0, 20), Climate.LoadDetached(run.Directory).Years);
    }

    [Fact]
    public async Task Concurrent_GetInstance_returns_one_instance()
    {
        using var run = new TestRun();
        run.CreateClimate();

        Climate[] seen = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Climate.GetInstance(run.Directory)))).Within();

        Assert.All(seen, c => Assert.Same(seen[0], c));
    }

    [Fact]
    public async Task Singleton_with_concurrent_locking_loses_no_update()
    {
        using var run = new TestRun();
        run.CreateClimate();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
            await Climate.GetInstance(run.Directory).UpdateAsync(c => c.Counter++)))).Within();

        Assert.Equal(20, Climate.GetInstance(run.Directory).Counter);
        Assert.Equal(20, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Operation_exceeds_lock_TTL_the_lease_holds_and_the_commit_lands()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await using (NoDbLockScope scope = await climate.LockAsync())
        {
            // Work through several lease checks and past two lease lengths; the lease is confirmed each time and never lost.
            var working = System.Diagnostics.Stopwatch.StartNew();
            for (int check = 0; check < 5 || working.Elapsed < Backend.LeaseLength * 2; check++)
            {
                await Task.Delay(BackendFixture.LeaseCheckInterval);
                Assert.False(scope.LockLost.IsCancellationRequested);
            }

            climate.Counter = 1;
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Operation_exceeds_lock_TTL_when_the_lease_is_lost_the_persist_fails_and_nothing_is_written()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 2;

        // The lease is lost when the lock is taken away (the embedded one cannot expire under a live holder).
        await Climate.LoadDetached(run.Directory).ForceUnlockAsync();

        Assert.True(scope.LockLost.IsCancellationRequested);
        Assert.Throws<NoDbLockLostException>(scope.Dispose);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Stale_token_unlock_is_refused_then_force_unlock_recovers()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        NoDbLockToken stale = await climate.AcquireLockAsync();
        await climate.UnlockAsync(stale);
        NoDbLockToken current = await climate.AcquireLockAsync();

        await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await climate.UnlockAsync(stale));
        Assert.True(await climate.IsLockedAsync());

        await climate.ForceUnlockAsync();
        Assert.False(await climate.IsLockedAsync());
        await Assert.ThrowsAsync<NoDbLockTokenMismatchException>(async () => await climate.UnlockAsync(current));
        await climate.UpdateAsync(c => c.Counter = 3).Within();
        Assert.Equal(3, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Same_instance_from_two_GetInstance_calls_sees_one_lock_state()
    {
        using var run = new TestRun();
        run.CreateClimate();
        Climate first = Climate.GetInstance(run.Directory);
        Climate second = Climate.GetInstance(run.Directory);

        await using (await first.LockAsync())
        {
            Assert.True(await second.IsLockedAsync());
            Assert.Null(await Elsewhere.Run(async () => await second.TryLockAsync()));
        }

        Assert.False(await second.IsLockedAsync());
    }

    [Fact]
    public async Task Clear_locks_during_active_operation_refuses_the_holders_persist()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "BEFORE");
        NoDbLockScope scope = await climate.LockAsync();
        climate.StationId = "DURING";

        await NoDbRuntime.ClearLocksAsync(run.RunId);

        Assert.True(scope.LockLost.IsCancellationRequested);
        Assert.Throws<NoDbLockLostException>(scope.Dispose);
        Assert.Equal("BEFORE", Climate.LoadDetached(run.Directory).StationId);
        Assert.Equal("BEFORE", climate.StationId);
        Assert.False(await climate.IsLockedAsync());
    }

    [Fact]
    public async Task Clear_locks_scope_isolation_leaves_other_runs_untouched()
    {
        using var cleared = new TestRun();
        using var untouched = new TestRun();
        Climate a = cleared.CreateClimate();
        Climate b = untouched.CreateClimate();
        NoDbLockScope scopeA = await a.LockAsync();
        NoDbLockScope scopeB = await b.LockAsync();

        await NoDbRuntime.ClearLocksAsync(cleared.RunId);

        Assert.True(scopeA.LockLost.IsCancellationRequested);
        Assert.False(scopeB.LockLost.IsCancellationRequested);
        b.Counter = 8;
        await scopeB.DisposeAsync();
        Assert.Equal(8, Climate.LoadDetached(untouched.Directory).Counter);
    }

    [Fact]
    public async Task Clear_locks_finds_a_run_through_the_resolver_and_reaches_its_lock_files()
    {
        using var run = new TestRun();
        run.CreateClimate();
        NoDbLockToken before = await Climate.LoadDetached(run.Directory).AcquireLockAsync();
        long fence = before.FencingNumber;

        // A lock file left on disk is cleared by run id: its fence moves, so its holder could not write.
        await NoDbRuntime.ClearLocksAsync(run.RunId);
        NoDbLockToken after = await Climate.LoadDetached(run.Directory).AcquireLockAsync().Within();

        Assert.True(after.FencingNumber > fence + 1);
    }

    [Fact]
    public async Task Force_unlock_recovery_after_a_lost_token()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        _ = await Elsewhere.Run(async () => await climate.AcquireLockAsync()); // taken, and the token is lost

        Assert.True(await climate.IsLockedAsync());
        await climate.ForceUnlockAsync();

        await climate.UpdateAsync(c => c.Counter = 1).Within();
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task GetInstance_refreshes_after_an_external_dump()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate(stationId: "A");
        Climate external = Climate.LoadDetached(run.Directory);

        NoDbLockToken token = await external.AcquireLockAsync();
        external.StationId = "B";
        await external.DumpAndUnlockAsync(token);

        Assert.Same(cached, Climate.GetInstance(run.Directory));
        Assert.Equal("B", cached.StationId);
    }

    [Fact]
    public async Task LoadDetached_bypasses_cache()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate(counter: 1);
        await using (await cached.LockAsync())
        {
            cached.Counter = 2;

            // The detached copy reads the committed document, not the holder's unsaved state.
            Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        }

        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public void Read_only_not_cached()
    {
        using var run = new TestRun();
        run.CreateClimate();
        run.MarkReadOnly();

        Assert.NotSame(Climate.GetInstance(run.Directory), Climate.GetInstance(run.Directory));
    }

    [Fact]
    public async Task Profile_playback_without_delays_loses_no_request()
    {
        using var run = new TestRun();
        run.CreateClimate();

        // A recorded profile replayed as fast as possible: 40 requests that each read, then change, the run.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            Climate climate = await Climate.GetInstanceAsync(run.Directory);
            _ = climate.Years.Count;
            await climate.UpdateAsync(c => c.Years.Add(i));
        }))).Within();

        Assert.Equal(Enumerable.Range(0, 40), Climate.LoadDetached(run.Directory).Years.Order());
    }

    [Fact]
    public async Task Playback_session_rapid_requests_reads_and_writes_all_succeed()
    {
        using var run = new TestRun();
        run.CreateClimate();
        int reads = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int request = 0; request < 25; request++)
            {
                Climate climate = Climate.GetInstance(run.Directory);
                if (request % 2 == 0)
                {
                    _ = climate.StationId;
                    Interlocked.Increment(ref reads);
                }
                else
                {
                    await climate.UpdateAsync(c => c.Counter++);
                }
            }
        }))).Within();

        Assert.Equal(8 * 13, reads);
        Assert.Equal(8 * 12, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Concurrent_build_requests_wait_instead_of_failing()
    {
        using var run = new TestRun();
        run.CreateClimate();

        // Each "build climate" request holds the lock while it works; the others queue for it instead of failing.
        await Task.WhenAll(Enumerable.Range(0, Contenders).Select(i => Task.Run(async () =>
        {
            Climate climate = Climate.GetInstance(run.Directory);
            await using (await climate.LockAsync())
            {
                await Task.Delay(20); // the build's own work
                climate.Years.Add(i);
                climate.StationId = $"built-by-{i}";
            }
        }))).Within();

        Assert.Equal(Contenders, Climate.LoadDetached(run.Directory).Years.Count);
    }

    [Fact]
    public async Task Gateway_timeout_threshold_a_long_operation_under_one_lock_succeeds_and_its_waiter_follows()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task longOperation = Task.Run(async () =>
        {
            await using NoDbLockScope scope = await climate.LockAsync();
            holding.SetResult();

            // Many lease lengths under one lock (wepppy's gateway timeout was 30 s; here a lease lasts 2 s on Redis, and the
            // embedded backend checks its lock every 100 ms).
            TimeSpan operation = BackendFixture.LeaseCheckInterval * 10 > Backend.LeaseLength * 3 ? BackendFixture.LeaseCheckInterval * 10 : Backend.LeaseLength * 3;
            await Task.Delay(operation, scope.LockLost);
            climate.StationId = "long";
        });
        await holding.Task.Within();

        Task waiter = Task.Run(async () => await climate.UpdateAsync(c => c.Counter++));

        await Task.WhenAll(longOperation, waiter).Within();
        Climate reread = Climate.LoadDetached(run.Directory);
        Assert.Equal("long", reread.StationId);
        Assert.Equal(1, reread.Counter);
    }

    [Fact]
    public async Task Lock_holders_of_a_run_are_listed_and_other_runs_are_not()
    {
        using var run = new TestRun();
        using var other = new TestRun();
        run.CreateClimate();
        other.CreateClimate();
        await using NoDbLockScope held = await Climate.GetInstance(run.Directory).LockAsync();
        await using NoDbLockScope elsewhere = await Climate.GetInstance(other.Directory).LockAsync();

        NoDbLockHolder holder = Assert.Single(await NoDbRuntime.GetLockHoldersAsync(run.RunId));

        Assert.Equal(run.ClimatePath, holder.FilePath);
        Assert.Equal(Environment.ProcessId, holder.ProcessId);
        Assert.Equal(Environment.MachineName, holder.Host);
        Assert.Equal(held.Token.FencingNumber, holder.FencingNumber);
        Assert.True(holder.Acquired <= DateTimeOffset.UtcNow);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : WepppyRaceScenarioTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : WepppyRaceScenarioTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : WepppyRaceScenarioTests(backend);
}
