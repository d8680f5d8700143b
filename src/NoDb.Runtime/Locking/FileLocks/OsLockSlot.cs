using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// This process's claim on one lock file. A contended acquisition blocks in <c>flock</c> on a dedicated thread, so the
/// kernel wakes it the moment the holder releases or dies: no polling. A waiter that times out leaves that thread
/// blocked; the next local waiter attaches to it instead of starting another, and if none is waiting when the lock
/// arrives, it is given back at once.
/// </summary>
internal sealed class OsLockSlot(string path, Func<SafeFileHandle> open)
{
    private readonly object _sync = new();
    private Task<SafeFileHandle>? _pending;
    private bool _waiterPresent;

    /// <summary>The lock file's handle with the exclusive lock held, or <see langword="null"/> if another holder has it.</summary>
    public SafeFileHandle? TryAcquire()
    {
        lock (_sync)
        {
            if (_pending is { } pending)
            {
                if (!pending.IsCompleted)
                {
                    return null;
                }

                _pending = null;
                if (pending.IsCompletedSuccessfully)
                {
                    return pending.Result;
                }
            }
        }

        SafeFileHandle handle = open();
        try
        {
            if (UnixNative.TryLockExclusive(handle, path))
            {
                return handle;
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        handle.Dispose(); // not locked by us: nothing to release
        return null;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/>, on <paramref name="time"/>'s clock, for the lock (<see cref="TimeoutException"/>
    /// when it runs out); <paramref name="synchronous"/> callers (<c>Lock()</c>) block their own thread instead of awaiting.
    /// </summary>
    public async ValueTask<SafeFileHandle> AcquireAsync(TimeSpan timeout, TimeProvider time, bool synchronous, CancellationToken cancellationToken)
    {
        if (TryAcquire() is { } free)
        {
            return free;
        }

        Task<SafeFileHandle> pending = Attach();
        try
        {
            Task<SafeFileHandle> waited = pending.WaitAsync(timeout, time, cancellationToken);
            SafeFileHandle handle = synchronous ? waited.GetAwaiter().GetResult() : await waited.ConfigureAwait(false);

            Detach(pending, claimed: true);
            return handle;
        }
        catch
        {
            // Whatever ended the wait, the blocked thread must not park a lock for a waiter that is gone.
            Detach(pending, claimed: false);
            throw;
        }
    }

    private Task<SafeFileHandle> Attach()
    {
        lock (_sync)
        {
            _waiterPresent = true;
            return _pending ??= StartBlockingAcquire();
        }
    }

    private void Detach(Task<SafeFileHandle> pending, bool claimed)
    {
        lock (_sync)
        {
            _waiterPresent = false;
            if (ReferenceEquals(_pending, pending) && pending.IsCompleted)
            {
                _pending = null;
                if (!claimed && pending.IsCompletedSuccessfully)
                {
                    // The lock arrived just as the waiter gave up: give it back.
                    UnixNative.UnlockAndClose(pending.Result);
                }
            }
        }
    }

    private Task<SafeFileHandle> StartBlockingAcquire()
    {
        var completion = new TaskCompletionSource<SafeFileHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => BlockUntilAcquired(completion), maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "NoDb file lock waiter",
        };
        thread.Start();
        return completion.Task;
    }

    private void BlockUntilAcquired(TaskCompletionSource<SafeFileHandle> completion)
    {
        SafeFileHandle? handle = null;
        Exception? failure = null;
        try
        {
            handle = open();
            UnixNative.LockExclusive(handle, path);
        }
        catch (Exception e)
        {
            UnixNative.UnlockAndClose(handle);
            handle = null;
            failure = e;
        }

        lock (_sync)
        {
            if (_waiterPresent)
            {
                if (handle is not null)
                {
                    completion.SetResult(handle);
                }
                else
                {
                    completion.SetException(failure!);
                }

                return;
            }

            // Nobody is waiting any more: forget this attempt and give the lock back.
            if (ReferenceEquals(_pending, completion.Task))
            {
                _pending = null;
            }
        }

        UnixNative.UnlockAndClose(handle);
        completion.TrySetCanceled();
    }
}
