using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// A lock held through an OS file lock. The kernel keeps it for as long as this process lives, so the lease never
/// expires on its own; in the background it checks the fence counter, and when another process has cleared or forced
/// the lock it fires <see cref="LeaseBase.Lost"/> and hands the OS lock back so that the next holder can proceed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The monitor timer is disposed when the lease is lost or released.")]
internal sealed class FileLease : LeaseBase
{
    private readonly object _handleSync = new();
    private readonly FileLockBackend _backend;
    private readonly ITimer _monitor;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private SafeFileHandle? _handle;

    public FileLease(FileLockBackend backend, LockTarget target, SafeFileHandle handle, long fencingNumber, TimeSpan checkInterval, TimeProvider time)
        : base(target, fencingNumber)
    {
        _backend = backend;
        _handle = handle;
        _checkInterval = checkInterval;
        _time = time;
        _monitor = time.CreateTimer(static state => ((FileLease)state!).Check(), this, checkInterval, checkInterval);
    }

    public override async ValueTask CommitFencedAsync(RunDirectory run, Action write, FenceWait wait)
    {
        ThrowIfLost();
        using RunStateFolder state = run.OpenStateFolder(create: false)
            ?? throw LostNow(LeaseLoss.Fenced, "its state folder was removed, and its fence with it");
        if (!await FenceFile.RunIfCurrentAsync(state, Target.FileName, FencingNumber, wait, write).ConfigureAwait(false))
        {
            throw LostNow(LeaseLoss.Fenced, "a newer holder or a clear has taken the lock since");
        }
    }

    protected override Microsoft.Extensions.Logging.ILogger Logger => _backend.Logger;

    protected override void OnLost()
    {
        _monitor.Dispose();
        ReleaseHandle();
    }

    protected override void OnReleased()
    {
        _monitor.Dispose();
        ReleaseHandle();
        _backend.OnReleased(this);
    }

    private void Check()
    {
        try
        {
            // A lock-free read: the check never waits behind a commit, nor behind a process frozen holding the fence.
            using RunDirectory? run = RunDirectory.TryOpen(Target.WorkingDirectory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            if (state is null)
            {
                MarkLost(LeaseLoss.Fenced, "its state folder was removed, and its fence with it");
            }
            else if (FenceFile.Peek(state, Target.FileName) != FencingNumber &&
                     Infrastructure.SyncViaAsync.Run(FenceFile.CurrentAsync(state, Target.FileName, new FenceWait(_checkInterval, Synchronous: true, CancellationToken.None, _time))) != FencingNumber)
            {
                // Confirmed under the fence lock: a lock-free read can meet a fence change half-written.
                MarkLost(LeaseLoss.Fenced, "the lock was cleared or forced open by another process");
            }
        }
        catch (FenceBusyException)
        {
            // Someone holds the fence lock (a commit, or a process frozen mid-commit): look again at the next check.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            MarkLost(LeaseLoss.Unreachable, $"its fence file could not be read ({e.Message})");
        }
    }

    private void ReleaseHandle()
    {
        SafeFileHandle? handle;
        lock (_handleSync)
        {
            handle = _handle;
            _handle = null;
        }

        // The kernel wakes the next waiter.
        UnixNative.UnlockAndClose(handle);
    }
}
