using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Locking;

/// <summary>The embedded backend's own fencing; what every backend must do is in NoDb.Backends.Tests' FencingTests.</summary>
public sealed class FileFencingTests(FileLocksFixture files) : BackendTest(files)
{
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
}
