using System.Diagnostics;
using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.TestSupport;

namespace NoDb.Runtime.Tests.Processes;

public sealed class ForkedChildTests(FileLocksFixture files) : BackendTest(files)
{
    /// <summary>
    /// A child forked by any code in this process shares our open lock files until it execs. A release that only closed
    /// its descriptor left the lock held by the child for that moment; the release must unlock explicitly.
    /// </summary>
    [Fact]
    public async Task A_released_lock_is_free_at_once_even_while_this_process_forks_children()
    {
        using var run = new TestRun();
        run.CreateClimate();
        var target = new LockTarget(run.Directory, "climate.nodb");
        var holder = new FileLockBackend(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        var other = new FileLockBackend(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)); // its own descriptors, as another process would have

        using var stop = new CancellationTokenSource();
        Task forks = Task.Run(async () =>
        {
            for (int spawned = 0; spawned < 2_000 && !stop.IsCancellationRequested; spawned++)
            {
                using Process child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
                await child.WaitForExitAsync();
            }
        });

        int refused = 0;
        for (int cycle = 0; cycle < 300; cycle++)
        {
            ILockLease held = (await holder.TryAcquireAsync(target, CancellationToken.None))!;
            held.Release();
            ILockLease? next = await other.TryAcquireAsync(target, CancellationToken.None);
            if (next is null)
            {
                refused++;
            }

            next?.Release();
        }

        await stop.CancelAsync();
        await forks.Within();
        Assert.Equal(0, refused);
    }
}
