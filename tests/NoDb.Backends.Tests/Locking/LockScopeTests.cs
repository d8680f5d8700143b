using NoDb.Locking;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Locking;

public abstract class LockScopeTests(BackendFixture backend) : BackendTest(backend)
{
    [Fact]
    public async Task Disposing_a_scope_persists_the_change()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await using (await climate.LockAsync())
        {
            climate.Counter = 42;
            climate.Years.Add(2020);
            climate.ApplyScale(2.5);
        }

        Climate reread = Climate.LoadDetached(run.Directory);
        Assert.Equal(42, reread.Counter);
        Assert.Equal([2020], reread.Years);
        Assert.Equal(2.5, reread.Scale);
    }

    [Fact]
    public async Task A_scope_without_changes_does_not_rewrite_the_document()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        // Every commit renames a new file into place, so a hard link to the current file tells whether it was replaced.
        string witness = Path.Join(run.Directory, "witness");
        Assert.Equal(0, Link(run.ClimatePath, witness));

        await using (await climate.LockAsync())
        {
            climate.Hits++; // [NoDbIgnore]: not persisted state
        }

        Assert.Equal(2, HardLinkCount(run.ClimatePath));

        await using (await climate.LockAsync())
        {
            climate.Counter++;
        }

        Assert.Equal(1, HardLinkCount(run.ClimatePath));
    }

    [Fact]
    public void The_synchronous_lock_persists_on_dispose()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        using (climate.Lock())
        {
            climate.StationId = "SYNC";
        }

        Assert.Equal("SYNC", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task Locking_again_in_the_same_flow_fails_at_once_instead_of_deadlocking()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        Climate detachedCopy = Climate.LoadDetached(run.Directory);

        await using (await climate.LockAsync())
        {
            await Assert.ThrowsAsync<NoDbLockRecursionException>(async () => await climate.LockAsync());
            await Assert.ThrowsAsync<NoDbLockRecursionException>(async () => await climate.TryLockAsync());
            await Assert.ThrowsAsync<NoDbLockRecursionException>(async () => await climate.AcquireLockAsync());
            await Assert.ThrowsAsync<NoDbLockRecursionException>(async () => await climate.UpdateAsync(c => c.Counter++));
            Assert.Throws<NoDbLockRecursionException>(() => climate.Lock());

            // Another instance of the same document is the same lock.
            await Assert.ThrowsAsync<NoDbLockRecursionException>(async () => await detachedCopy.LockAsync());
        }

        // Once released, the same flow may lock again.
        await using (await climate.LockAsync().Within())
        {
            climate.Counter++;
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_task_started_while_holding_the_lock_belongs_to_the_same_flow()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await using (await climate.LockAsync())
        {
            // Awaiting this child inside the scope would deadlock, so it fails at once instead.
            var error = await Assert.ThrowsAsync<NoDbLockRecursionException>(() => Task.Run(async () => await climate.LockAsync()).Within());
            Assert.Contains("ExecutionContext.SuppressFlow", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_when_the_holder_releases()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockScope holder = await climate.LockAsync();

        Task<int> waiter = Elsewhere.Run(async () =>
        {
            await using (await climate.LockAsync())
            {
                return ++climate.Counter;
            }
        });
        Assert.False(waiter.IsCompleted);

        climate.Counter = 10;
        await holder.DisposeAsync();

        Assert.Equal(11, await waiter.Within());
        Assert.Equal(11, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_waiter_times_out_with_a_timeout_exception_that_names_the_document()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        await using NoDbLockScope holder = await climate.LockAsync();

        var error = await Elsewhere.Run(() => Assert.ThrowsAsync<NoDbLockTimeoutException>(
            async () => await climate.LockAsync(TimeSpan.FromMilliseconds(150)))).Within();

        Assert.Equal(run.ClimatePath, error.FilePath);
        Assert.Equal(TimeSpan.FromMilliseconds(150), error.Timeout);
        Assert.Contains("LockAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zero_timeout_means_do_not_wait()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        await using NoDbLockScope holder = await climate.LockAsync();

        await Elsewhere.Run(async () =>
        {
            await Assert.ThrowsAsync<NoDbAlreadyLockedException>(async () => await climate.LockAsync(TimeSpan.Zero));
            await Assert.ThrowsAsync<NoDbAlreadyLockedException>(async () => await climate.AcquireLockAsync(TimeSpan.Zero));
        }).Within();
    }

    [Fact]
    public async Task A_cancelled_waiter_stops_waiting_and_takes_nothing()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockScope holder = await climate.LockAsync();
        using var cancel = new CancellationTokenSource();

        Task waiter = Elsewhere.Run(async () => await climate.LockAsync(Timeout.InfiniteTimeSpan, cancel.Token));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.Within());

        await holder.DisposeAsync();
        await using (await Elsewhere.Run(async () => await climate.LockAsync()).Within())
        {
            climate.Counter++;
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task An_already_cancelled_token_fails_before_touching_the_lock()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await climate.LockAsync(cancellationToken: new CancellationToken(true)));

        Assert.False(await climate.IsLockedAsync());
    }

    [Fact]
    public async Task TryLock_returns_null_while_held_and_a_scope_when_free()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        NoDbLockScope? first = await climate.TryLockAsync();
        Assert.NotNull(first);
        Assert.Null(await Elsewhere.Run(async () => await climate.TryLockAsync()));

        await first.DisposeAsync();
        NoDbLockScope? second = await Elsewhere.Run(async () => await climate.TryLockAsync());
        Assert.NotNull(second);
        await second.DisposeAsync();
    }

    [Fact]
    public async Task UpdateAsync_persists_on_success()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await climate.UpdateAsync(c => c.Years.AddRange([2001, 2002]));
        await climate.UpdateAsync(async c =>
        {
            await Task.Yield();
            c.StationId = "ASYNC";
        });

        Climate reread = Climate.LoadDetached(run.Directory);
        Assert.Equal([2001, 2002], reread.Years);
        Assert.Equal("ASYNC", reread.StationId);
    }

    [Fact]
    public async Task UpdateAsync_that_throws_restores_state_persists_nothing_releases_and_rethrows()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "BEFORE", counter: 1);
        string before = run.ReadClimateText();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await climate.UpdateAsync(c =>
        {
            c.StationId = "HALF-DONE";
            c.Years.Add(1999);
            c.Counter = 99;
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", error.Message);
        Assert.Equal("BEFORE", climate.StationId);
        Assert.Empty(climate.Years);
        Assert.Equal(1, climate.Counter);
        Assert.Equal(before, run.ReadClimateText());
        Assert.False(await climate.IsLockedAsync());
    }

    [Fact]
    public async Task Async_UpdateAsync_that_throws_restores_state_and_releases()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 5);

        await Assert.ThrowsAsync<TimeoutException>(async () => await climate.UpdateAsync(async c =>
        {
            c.Counter = 6;
            await Task.Yield();
            throw new TimeoutException("downstream");
        }));

        Assert.Equal(5, climate.Counter);
        Assert.Equal(5, Climate.LoadDetached(run.Directory).Counter);
        NoDbLockScope? next = await Elsewhere.Run(async () => await climate.TryLockAsync());
        Assert.NotNull(next);
        await next.DisposeAsync();
    }

    [Fact]
    public async Task A_read_only_run_refuses_every_lock()
    {
        using var run = new TestRun();
        run.CreateClimate();
        run.MarkReadOnly();
        Climate climate = Climate.GetInstance(run.Directory);

        Assert.True(climate.IsReadOnly);
        await Assert.ThrowsAsync<NoDbReadOnlyException>(async () => await climate.LockAsync());
        await Assert.ThrowsAsync<NoDbReadOnlyException>(async () => await climate.TryLockAsync());
        await Assert.ThrowsAsync<NoDbReadOnlyException>(async () => await climate.AcquireLockAsync());
        await Assert.ThrowsAsync<NoDbReadOnlyException>(async () => await climate.UpdateAsync(c => c.Counter++));
        Assert.Throws<NoDbReadOnlyException>(() => climate.Lock());
        Assert.Throws<NoDbReadOnlyException>(() => Climate.Create(run.Directory));
    }

    [Fact]
    public async Task A_negative_timeout_is_rejected()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await climate.LockAsync(TimeSpan.FromSeconds(-2)));

        await using (await climate.LockAsync().Within())
        {
        }
    }

    [Fact]
    public void A_controller_made_with_new_says_how_to_get_a_real_one()
    {
        var climate = new Climate();

        var error = Assert.Throws<InvalidOperationException>(() => climate.WorkingDirectory);
        Assert.Contains("Climate.GetInstance", error.Message, StringComparison.Ordinal);
    }

    private static int HardLinkCount(string path)
    {
        var stat = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(stat)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string created);

    [Fact]
    public async Task A_cancelled_waiter_does_not_open_the_gate_for_others()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockScope holder = await climate.LockAsync();
        using var cancel = new CancellationTokenSource();
        Task cancelled = Elsewhere.Run(async () => await climate.LockAsync(Timeout.InfiniteTimeSpan, cancel.Token));
        await Eventually.True(() => ((NoDb.Infrastructure.INoDbController)climate).NoDbCore.Gate.Waiting == 1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Within());

        // The holder still holds alone: nobody else gets in, and its release is clean.
        Assert.Null(await Elsewhere.Run(async () => await climate.TryLockAsync()));
        await holder.DisposeAsync();

        NoDbLockScope next = await Elsewhere.Run(async () => await climate.LockAsync()).Within();
        Assert.Null(await Elsewhere.Run(async () => await climate.TryLockAsync()));
        await next.DisposeAsync();
    }

    [Fact]
    public async Task A_timeout_beyond_the_timer_range_waits_as_if_infinite()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        using WorkerProcess holder = Backend.StartWorker("hold", run.Directory);
        Assert.StartsWith("locked", await holder.ReadLineAsync(TestTimeouts.Patience), StringComparison.Ordinal);

        Task<NoDbLockScope> waiter = climate.LockAsync(TimeSpan.FromDays(60)).AsTask();
        await holder.KillAsync();

        await using (await waiter.Within())
        {
            climate.Counter = 60;
        }

        Assert.Equal(60, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_zero_timeout_failure_is_also_a_timeout()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        await using NoDbLockScope holder = await climate.LockAsync();

        var error = await Elsewhere.Run(() => Assert.ThrowsAnyAsync<NoDbLockTimeoutException>(async () => await climate.LockAsync(TimeSpan.Zero)));

        Assert.IsType<NoDbAlreadyLockedException>(error);
        Assert.Equal(TimeSpan.Zero, error.Timeout);
    }

    [Fact]
    public async Task A_scope_forced_open_reports_the_loss_even_after_a_refresh_wiped_its_changes()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 99;

        await climate.ForceUnlockAsync();
        _ = Climate.GetInstance(run.Directory); // may reload the instance from disk now that nobody holds it

        Assert.Throws<NoDbLockLostException>(scope.Dispose);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_throwing_LockLost_callback_does_not_stop_a_force_unlock()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockScope scope = await climate.LockAsync();
        using CancellationTokenRegistration bad = scope.LockLost.Register(() => throw new InvalidOperationException("user callback"));

        await climate.ForceUnlockAsync();

        Assert.True(scope.LockLost.IsCancellationRequested);
        await climate.UpdateAsync(c => c.Counter = 1).Within();
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : LockScopeTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : LockScopeTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : LockScopeTests(backend);
}
