using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// A lock held through an OS file lock. The kernel keeps it for as long as this process lives, so the lease never
/// expires on its own; in the background it checks the fence counter, and when another process has cleared or forced
/// the lock it fires <see cref="Lost"/> and hands the OS lock back so that the next holder can proceed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Release() disposes the timer; the CancellationTokenSource outlives the lease because its token is handed out, and owns no timer.")]
internal sealed class FileLease : ILockLease
{
    private readonly object _sync = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly FileLockBackend _backend;
    private readonly string _fencePath;
    private readonly Timer _monitor;
    private SafeFileHandle? _handle;
    private volatile string? _lostReason;
    private bool _released;

    public FileLease(FileLockBackend backend, LockTarget target, SafeFileHandle handle, string fencePath, long fencingNumber, TimeSpan checkInterval)
    {
        _backend = backend;
        _handle = handle;
        _fencePath = fencePath;
        Target = target;
        FencingNumber = fencingNumber;
        _monitor = new Timer(static state => ((FileLease)state!).Check(), this, checkInterval, checkInterval);
    }

    public LockTarget Target { get; }

    public long FencingNumber { get; }

    public CancellationToken Lost => _lost.Token;

    public string? LostReason => _lostReason;

    public void CommitFenced(Action write)
    {
        if (_lostReason is { } reason)
        {
            throw new NoDbLockLostException(Target.DocumentPath, FencingNumber, reason);
        }

        if (!FenceFile.RunIfCurrent(_fencePath, FencingNumber, write))
        {
            const string newer = "a newer holder or a clear has taken the lock since";
            MarkLost(newer);
            throw new NoDbLockLostException(Target.DocumentPath, FencingNumber, _lostReason ?? newer);
        }
    }

    public ValueTask CommitFencedAsync(Action write, CancellationToken cancellationToken)
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

    public void MarkLost(string reason)
    {
        lock (_sync)
        {
            if (_released || _lostReason is not null)
            {
                return;
            }

            _lostReason = reason;
        }

        _monitor.Dispose();
        ReleaseHandle();
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException)
        {
            // A LockLost callback of the user's threw. It must not stop the loss from being recorded (nor, from the
            // background check, crash the process); the lease is lost either way.
        }
    }

    public void Release()
    {
        lock (_sync)
        {
            if (_released)
            {
                return;
            }

            _released = true;
        }

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
        catch (IOException e)
        {
            MarkLost($"its fence file could not be read ({e.Message})");
        }
        catch (UnauthorizedAccessException e)
        {
            MarkLost($"its fence file could not be read ({e.Message})");
        }
    }

    private void ReleaseHandle()
    {
        SafeFileHandle? handle;
        lock (_sync)
        {
            handle = _handle;
            _handle = null;
        }

        // The kernel wakes the next waiter.
        UnixNative.UnlockAndClose(handle);
    }
}
