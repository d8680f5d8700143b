using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Locking;

/// <summary>Fencing: a holder whose lock was taken away (cleared, forced, by this or another process) never writes.</summary>
public abstract class FencingTests(BackendFixture backend) : BackendTest(backend)
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
        using WorkerProcess stale = Backend.StartWorker("stale-write", run.Directory);
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
    public async Task The_holder_is_told_when_another_process_takes_its_lock_and_writes_nothing()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 2;

        using (WorkerProcess other = Backend.StartWorker("force-unlock", run.Directory))
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

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : FencingTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : FencingTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : FencingTests(backend);
}
