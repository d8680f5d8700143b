using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// The embedded backend: OS file locks (<c>flock</c>) on the local disk. Cross-process, released by the kernel when the
/// holder dies, no server. Lock and fence files live in the run's state folder (<c>&lt;working directory&gt;/.nodb/</c>), and
/// are only ever opened relative to it, never through a link.
/// </summary>
internal sealed class FileLockBackend : ILockBackend
{
    public const string LockSuffix = ".lock";

    private readonly Engine.WeakRegistry<OsLockSlot> _slots = new();
    private readonly ConcurrentDictionary<string, FileLease> _active = new(StringComparer.Ordinal);
    private readonly TimeSpan _checkInterval;
    private readonly TimeSpan _fenceWait;
    private readonly TimeProvider _time;

    /// <param name="checkInterval">How soon a holder notices that its lock was cleared elsewhere.</param>
    /// <param name="fenceWait">How long a force or clear may wait for a document's fence lock.</param>
    /// <param name="time">The clock of timeouts, holder records and the leases' background checks.</param>
    /// <param name="logger">Where failures that do not reach a caller are logged (category <c>NoDb</c>).</param>
    public FileLockBackend(TimeSpan checkInterval, TimeSpan fenceWait, TimeProvider? time = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        _fenceWait = fenceWait;
        _time = time ?? TimeProvider.System;
        Logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        if (!UnixNative.IsSupported)
        {
            throw new PlatformNotSupportedException(
                "The embedded NoDb backend uses flock(2) and runs on Linux and macOS. On this platform, configure Redis " +
                "(NODB_REDIS) instead.");
        }

        _checkInterval = checkInterval;
    }

    public ValueTask<ILockLease?> TryAcquireAsync(LockTarget target, CancellationToken cancellationToken) =>
        AcquireCoreAsync(target, TimeSpan.Zero, synchronous: false, cancellationToken);

    public async ValueTask<ILockLease> AcquireAsync(LockTarget target, TimeSpan timeout, CancellationToken cancellationToken) =>
        await AcquireCoreAsync(target, timeout, synchronous: false, cancellationToken).ConfigureAwait(false)
        ?? throw new LockWaitTimeoutException();

    public ILockLease Acquire(LockTarget target, TimeSpan timeout)
    {
        ValueTask<ILockLease?> acquisition = AcquireCoreAsync(target, timeout, synchronous: true, CancellationToken.None);
        return Infrastructure.SyncViaAsync.Run(acquisition) ?? throw new LockWaitTimeoutException();
    }

    public ValueTask<bool> IsLockedAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_active.TryGetValue(target.DocumentPath, out FileLease? lease) && lease.LostReason is null)
        {
            return ValueTask.FromResult(true);
        }

        using RunDirectory? run = RunDirectory.TryOpen(target.WorkingDirectory);
        using RunStateFolder? state = run?.OpenStateFolder(create: false);
        if (state?.StampOf(target.FileName + LockSuffix) is null)
        {
            return ValueTask.FromResult(false);
        }

        return ValueTask.FromResult(IsHeld(state, target.FileName + LockSuffix, out _));
    }

    public async ValueTask ForceUnlockAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using (RunDirectory? run = RunDirectory.TryOpen(target.WorkingDirectory))
        using (RunStateFolder? state = run?.OpenStateFolder(create: false))
        {
            if (state is not null)
            {
                // Moving the counter fences out the holder wherever it runs; its background check then hands the OS lock back.
                await FenceFile.NextAsync(state, target.FileName, Wait(cancellationToken)).ConfigureAwait(false);
            }
        }

        MarkLostHere(target, LeaseLoss.Forced);
    }

    public async ValueTask<ClearOutcome> ClearLocksAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var outcome = new ClearOutcome();
        using RunDirectory? run = RunDirectory.TryOpen(workingDirectory);
        RunStateFolder? state;
        try
        {
            state = run?.OpenStateFolder(create: false);
        }
        catch (IOException e)
        {
            outcome.Refused.Add(e.Message);
            return outcome;
        }

        using (state)
        {
            if (state is null)
            {
                return outcome;
            }

            // Every acquisition leaves a lock file and a fence file: clear the documents named by either.
            var documents = new SortedSet<string>(state.DocumentNames(LockSuffix), StringComparer.Ordinal);
            documents.UnionWith(state.DocumentNames(FenceFile.Suffix));
            foreach (string fileName in documents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    NoDbLockHolder? holder = null;
                    if (state.StampOf(fileName + LockSuffix) is not null && IsHeld(state, fileName + LockSuffix, out string? record))
                    {
                        holder = record is null ? null : NoDbLockHolder.Parse(Path.Join(workingDirectory, fileName), record, expires: null);
                    }

                    await FenceFile.NextAsync(state, fileName, Wait(cancellationToken)).ConfigureAwait(false);
                    MarkLostHere(new LockTarget(workingDirectory, fileName), LeaseLoss.Cleared);
                    if (holder is not null)
                    {
                        outcome.Cleared.Add(holder);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
                {
                    // Never stop halfway: clear the rest, and report this one.
                    outcome.Refused.Add(e.Message);
                }
            }
        }

        return outcome;
    }

    public ValueTask<IReadOnlyList<NoDbLockHolder>> GetHoldersAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var holders = new List<NoDbLockHolder>();
        using RunDirectory? run = RunDirectory.TryOpen(workingDirectory);
        using RunStateFolder? state = run?.OpenStateFolder(create: false);
        if (state is not null)
        {
            foreach (string fileName in state.DocumentNames(LockSuffix))
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A record below the fence on disk is the previous holder's: the new one took the lock and its number but
                // has not written its record yet. It is not reported as the holder.
                if (IsHeld(state, fileName + LockSuffix, out string? record) && record is not null &&
                    NoDbLockHolder.Parse(Path.Join(workingDirectory, fileName), record, expires: null) is { } holder &&
                    holder.FencingNumber >= FenceFile.Peek(state, fileName))
                {
                    holders.Add(holder);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<NoDbLockHolder>>(holders);
    }

    /// <summary>The <c>NoDb</c> logger of the engine.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger { get; }

    /// <summary>How many OS lock slots are recorded (dead ones not yet swept included), for tests.</summary>
    internal int SlotCount => _slots.Count;

    internal void OnReleased(FileLease lease) =>
        _active.TryRemove(new KeyValuePair<string, FileLease>(lease.Target.DocumentPath, lease));

    /// <summary>The one acquisition protocol: a zero timeout tries once; <paramref name="synchronous"/> callers block their own thread.</summary>
    private async ValueTask<ILockLease?> AcquireCoreAsync(LockTarget target, TimeSpan timeout, bool synchronous, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long started = _time.GetTimestamp();
        OsLockSlot slot = Slot(target);
        while (true)
        {
            SafeFileHandle? handle;
            TimeSpan left = Remaining(started, timeout);
            if (timeout == TimeSpan.Zero)
            {
                handle = slot.TryAcquire();
            }
            else
            {
                try
                {
                    handle = await slot.AcquireAsync(left, _time, synchronous, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    handle = null;
                }
            }

            if (handle is null)
            {
                return null;
            }

            try
            {
                using RunDirectory run = RunDirectory.Open(target.WorkingDirectory);
                using RunStateFolder state = run.OpenStateFolder(create: true)!;

                // The lock file may have been removed or replaced while this waiter slept on it: a lock on a file that no
                // longer has the name is no lock. Take it again by the name.
                if (state.StampOf(target.FileName + LockSuffix) is not { } named || named.Inode != UnixNative.Stamp(handle, target.DocumentPath).Inode)
                {
                    UnixNative.UnlockAndClose(handle);
                    if (timeout != Timeout.InfiniteTimeSpan && Remaining(started, timeout) == TimeSpan.Zero && timeout != TimeSpan.Zero)
                    {
                        return null;
                    }

                    continue;
                }

                var wait = new FenceWait(timeout == TimeSpan.Zero ? FenceFile.TryLockPatience : Remaining(started, timeout), synchronous, cancellationToken, _time);
                long fencingNumber = await FenceFile.NextAsync(state, target.FileName, wait).ConfigureAwait(false);
                WriteHolderRecord(handle, fencingNumber, _time.GetUtcNow());
                var lease = new FileLease(this, target, handle, fencingNumber, _checkInterval, _time);
                _active[target.DocumentPath] = lease;
                return lease;
            }
            catch (FenceBusyException e)
            {
                UnixNative.UnlockAndClose(handle);
                throw new LockWaitTimeoutException(e.Message, e) { Cause = e.Message };
            }
            catch
            {
                UnixNative.UnlockAndClose(handle);
                throw;
            }
        }
    }

    private TimeSpan Remaining(long started, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return timeout;
        }

        TimeSpan left = timeout - _time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private FenceWait Wait(CancellationToken cancellationToken) => new(_fenceWait, Synchronous: false, cancellationToken, _time);

    private void MarkLostHere(LockTarget target, LeaseLoss loss)
    {
        if (_active.TryGetValue(target.DocumentPath, out FileLease? lease))
        {
            lease.MarkLost(loss, loss == LeaseLoss.Forced
                ? "the lock was forced open (ForceUnlockAsync)"
                : "the locks of its run were cleared (ClearLocksAsync)");
        }
    }

    /// <summary>Whether someone holds the lock file <paramref name="lockName"/>, and the holder record it carries.</summary>
    private static bool IsHeld(RunStateFolder state, string lockName, out string? record)
    {
        record = null;
        SafeFileHandle probe = state.OpenOrCreate(lockName);
        try
        {
            if (UnixNative.TryLockExclusive(probe, state.PathOf(lockName)))
            {
                return false; // free: the record is what an earlier holder left
            }

            byte[] buffer = new byte[512];
            int read = RandomAccess.Read(probe, buffer, 0);

            // The first line: a shorter record written over a longer one leaves the old tail after its newline.
            string text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            int end = text.IndexOf('\n', StringComparison.Ordinal);
            record = end >= 0 ? text[..end] : text;
            return true;
        }
        finally
        {
            UnixNative.UnlockAndClose(probe);
        }
    }

    /// <summary>
    /// Writes who holds the lock into the lock file, for <see cref="GetHoldersAsync"/>; best effort. The record is padded to
    /// a fixed width and written over the old one with one <c>pwrite</c>: no truncation, which on ext4 costs milliseconds
    /// (it frees blocks through the journal) on every acquisition.
    /// </summary>
    private static void WriteHolderRecord(SafeFileHandle handle, long fencingNumber, DateTimeOffset now)
    {
        string record = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Environment.MachineName}|{Environment.ProcessId}|{now.ToUnixTimeMilliseconds()}|{fencingNumber}");
        try
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(record.PadRight(HolderRecordWidth - 1) + "\n");
            RandomAccess.Write(handle, bytes, 0);
        }
        catch (IOException)
        {
            // Only the listing needs it.
        }
    }

    /// <summary>The width the holder record is padded to (a longer one is written whole).</summary>
    private const int HolderRecordWidth = 160;

    private OsLockSlot Slot(LockTarget target) =>
        _slots.GetOrAdd(target.DocumentPath, target, static (_, t) => new OsLockSlot(Path.Join(t.StateDirectory, t.FileName + LockSuffix), () => OpenLockFile(t)));

    private static SafeFileHandle OpenLockFile(LockTarget target)
    {
        using RunDirectory run = RunDirectory.Open(target.WorkingDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: true)!;
        return state.OpenOrCreate(target.FileName + LockSuffix);
    }
}
