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
    private readonly string _fencePath;
    private readonly Timer _monitor;
    private SafeFileHandle? _handle;

    public FileLease(FileLockBackend backend, LockTarget target, SafeFileHandle handle, string fencePath, long fencingNumber, TimeSpan checkInterval)
        : base(target, fencingNumber)
    {
        _backend = backend;
        _handle = handle;
        _fencePath = fencePath;
        _monitor = new Timer(static state => ((FileLease)state!).Check(), this, checkInterval, checkInterval);
    }

    public override void CommitFenced(Action write)
    {
        ThrowIfLost();
        if (!FenceFile.RunIfCurrent(_fencePath, FencingNumber, write))
        {
            MarkLost("a newer holder or a clear has taken the lock since");
            ThrowIfLost();
        }
    }

    public override ValueTask CommitFencedAsync(Action write, CancellationToken cancellationToken)
    {
        // Local disk and flock: nothing to wait for without a thread.
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            CommitFenced(write);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

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
            if (FenceFile.Current(_fencePath) != FencingNumber)
            {
                MarkLost("the lock was cleared or forced open");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            MarkLost($"its fence file could not be read ({e.Message})");
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
