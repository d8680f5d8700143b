using NoDb.Runtime.Tests.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Locking;

public sealed class FencingTests
{
    [Fact]
    public async Task A_stale_holder_cannot_overwrite_a_newer_commit()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "ORIGINAL");
        NoDbLockScope stale = await climate.LockAsync();
        long staleFence = stale.Token.FencingNumber;

        // The run's locks are cleared while the stale holder is paused; a newer holder commits.
        await NoDbRuntime.ClearLocksAsync(run.RunId);
        Assert.True(stale.LockLost.IsCancellationRequested);
        Climate newer = Climate.LoadDetached(run.Directory);
        await using (NoDbLockScope scope = await newer.LockAsync().Within())
        {
            Assert.True(scope.Token.FencingNumber > staleFence);
            newer.StationId = "NEWER";
        }

        // The stale holder wakes up and tries to persist.
        climate.StationId = "STALE";
        var error = Assert.Throws<NoDbLockLostException>(stale.Dispose);

        Assert.Equal(staleFence, error.FencingNumber);
        Assert.Equal("NEWER", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task A_stale_holder_in_another_process_is_refused_and_the_newer_state_stays()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "ORIGINAL");
        using WorkerProcess stale = WorkerProcess.Start("stale-write", run.Directory);
        long staleFence = long.Parse((await stale.ReadLineAsync(TestTimeouts.Patience)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        // Take the lock away from the paused worker and commit newer state.
        Climate climate = Climate.GetInstance(run.Directory);
        await climate.ForceUnlockAsync();
        await using (NoDbLockScope scope = await climate.LockAsync().Within())
        {
            Assert.True(scope.Token.FencingNumber > staleFence);
            climate.StationId = "NEWER";
        }

        await stale.WriteLineAsync("go");
        Assert.Equal($"refused {staleFence}", await stale.ReadLineAsync(TestTimeouts.Patience));
        Assert.Equal("NEWER", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task Fencing_numbers_survive_a_restart_of_the_runtime()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockToken before = await climate.AcquireLockAsync();
        await climate.UnlockAsync(before);

        // A new process would read the counter from disk, as a reconfigured runtime does here.
        var freshBackend = new NoDb.Locking.FileLocks.FileLockBackend(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        var target = new NoDb.Locking.LockTarget(run.Directory, "climate.nodb");
        NoDb.Locking.ILockLease? lease = await freshBackend.TryAcquireAsync(target, CancellationToken.None);

        Assert.NotNull(lease);
        Assert.True(lease.FencingNumber > before.FencingNumber);
        lease.Release();
    }

    [Fact]
    public async Task The_holder_is_told_when_another_process_takes_its_lock_and_writes_nothing()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 2;

        using (WorkerProcess other = WorkerProcess.Start("force-unlock", run.Directory))
        {
            Assert.Equal("forced", await other.ReadLineAsync(TestTimeouts.Patience));
        }

        await scope.LockLost.WhenCancelled().Within();
        Assert.Throws<NoDbLockLostException>(scope.Dispose);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        Assert.Equal(1, climate.Counter);
    }

    [Fact]
    public async Task Fencing_numbers_keep_growing_after_the_state_folder_is_deleted()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        NoDbLockToken before = await climate.AcquireLockAsync();
        await climate.UnlockAsync(before);

        Directory.Delete(Path.Join(run.Directory, ".nodb"), recursive: true);
        NoDbLockToken after = await climate.AcquireLockAsync();
        await climate.UnlockAsync(after);

        Assert.True(after.FencingNumber > before.FencingNumber);
    }
}
