using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// The embedded backend: OS file locks (<c>flock</c>) on the local disk. Cross-process, released by the kernel when the
/// holder dies, no server. Lock and fence files live in <c>&lt;working directory&gt;/.nodb/</c>.
/// </summary>
internal sealed class FileLockBackend : ILockBackend
{
    private const string LockSuffix = ".lock";
    private const string FenceSuffix = ".fence";

    private readonly ConcurrentDictionary<string, OsLockSlot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileLease> _active = new(StringComparer.Ordinal);
    private readonly TimeSpan _checkInterval;

    public FileLockBackend(TimeSpan checkInterval)
    {
        if (!UnixNative.IsSupported)
        {
            throw new PlatformNotSupportedException(
                "The embedded NoDb backend uses flock(2) and runs on Linux and macOS. On this platform, configure Redis " +
                "(NODB_REDIS) instead.");
        }

        _checkInterval = checkInterval;
    }

    public ValueTask<ILockLease?> TryAcquireAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PrepareStateDirectory(target);
        SafeFileHandle? handle = Slot(target).TryAcquire();
        return ValueTask.FromResult(handle is null ? null : (ILockLease?)Grant(target, handle));
    }

    public async ValueTask<ILockLease> AcquireAsync(LockTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        PrepareStateDirectory(target);
        SafeFileHandle handle;
        try
        {
            handle = await Slot(target).AcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new LockWaitTimeoutException(e.Message, e);
        }

        return Grant(target, handle);
    }

    public ILockLease Acquire(LockTarget target, TimeSpan timeout)
    {
        PrepareStateDirectory(target);
        SafeFileHandle handle;
        try
        {
            handle = Slot(target).Acquire(timeout);
        }
        catch (TimeoutException e)
        {
            throw new LockWaitTimeoutException(e.Message, e);
        }

        return Grant(target, handle);
    }

    public ValueTask<bool> IsLockedAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_active.TryGetValue(target.DocumentPath, out FileLease? lease) && lease.LostReason is null)
        {
            return ValueTask.FromResult(true);
        }

        string lockPath = LockPath(target);
        if (!File.Exists(lockPath))
        {
            return ValueTask.FromResult(false);
        }

        SafeFileHandle probe = UnixNative.OpenOrCreate(lockPath);
        try
        {
            return ValueTask.FromResult(!UnixNative.TryLockExclusive(probe, lockPath));
        }
        finally
        {
            UnixNative.UnlockAndClose(probe);
        }
    }

    public ValueTask ForceUnlockAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Directory.Exists(target.StateDirectory))
        {
            // Moving the counter fences out the holder wherever it runs; its background check then hands the OS lock back.
            FenceFile.Next(FencePath(target));
        }

        if (_active.TryGetValue(target.DocumentPath, out FileLease? lease))
        {
            lease.MarkLost("the lock was forced open (ForceUnlockAsync or ClearLocksAsync)");
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask ClearLocksAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        string stateDirectory = Path.Join(workingDirectory, NoDbPaths.StateFolder);
        if (!Directory.Exists(stateDirectory))
        {
            return;
        }

        foreach (string lockFile in Directory.EnumerateFiles(stateDirectory, "*" + LockSuffix))
        {
            string fileName = Path.GetFileName(lockFile)[..^LockSuffix.Length];
            try
            {
                NoDbPaths.ValidateFileName(fileName);
            }
            catch (ArgumentException)
            {
                continue; // Not a lock file of ours.
            }

            await ForceUnlockAsync(new LockTarget(workingDirectory, fileName), cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<IReadOnlyList<NoDbLockHolder>> GetHoldersAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var holders = new List<NoDbLockHolder>();
        string stateDirectory = Path.Join(workingDirectory, NoDbPaths.StateFolder);
        byte[] buffer = new byte[512];
        if (Directory.Exists(stateDirectory))
        {
            foreach (string lockFile in Directory.EnumerateFiles(stateDirectory, "*" + LockSuffix))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string fileName = Path.GetFileName(lockFile)[..^LockSuffix.Length];
                if (!IsDocumentName(fileName))
                {
                    continue;
                }

                string document = Path.Join(workingDirectory, fileName);
                SafeFileHandle probe = UnixNative.OpenOrCreate(lockFile);
                try
                {
                    if (UnixNative.TryLockExclusive(probe, lockFile))
                    {
                        continue; // free: the record is what an earlier holder left
                    }

                    int read = RandomAccess.Read(probe, buffer, 0);
                    if (NoDbLockHolder.Parse(document, System.Text.Encoding.UTF8.GetString(buffer, 0, read), expires: null) is { } holder)
                    {
                        holders.Add(holder);
                    }
                }
                finally
                {
                    UnixNative.UnlockAndClose(probe);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<NoDbLockHolder>>(holders);
    }

    internal void OnReleased(FileLease lease) =>
        _active.TryRemove(new KeyValuePair<string, FileLease>(lease.Target.DocumentPath, lease));

    private FileLease Grant(LockTarget target, SafeFileHandle handle)
    {
        long fencingNumber;
        try
        {
            fencingNumber = FenceFile.Next(FencePath(target));
        }
        catch
        {
            UnixNative.UnlockAndClose(handle);
            throw;
        }

        WriteHolderRecord(handle, fencingNumber);
        var lease = new FileLease(this, target, handle, FencePath(target), fencingNumber, _checkInterval);
        _active[target.DocumentPath] = lease;
        return lease;
    }

    /// <summary>Writes who holds the lock into the lock file, for <see cref="GetHoldersAsync"/>; best effort.</summary>
    private static void WriteHolderRecord(SafeFileHandle handle, long fencingNumber)
    {
        string record = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Environment.MachineName}|{Environment.ProcessId}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}|{fencingNumber}\n");
        try
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(record);
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, bytes, 0);
        }
        catch (IOException)
        {
            // Only the listing needs it.
        }
    }

    private OsLockSlot Slot(LockTarget target) =>
        _slots.GetOrAdd(target.DocumentPath, static (_, path) => new OsLockSlot(path), LockPath(target));

    private static bool IsDocumentName(string fileName)
    {
        try
        {
            NoDbPaths.ValidateFileName(fileName);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void PrepareStateDirectory(LockTarget target)
    {
        var directory = new DirectoryInfo(target.StateDirectory);
        if (directory.LinkTarget is not null)
        {
            throw new IOException(
                $"'{target.StateDirectory}' is a symbolic link; NoDb keeps its lock files in a real folder inside the working directory.");
        }

        directory.Create();
    }

    private static string LockPath(LockTarget target) => Path.Join(target.StateDirectory, target.FileName + LockSuffix);

    private static string FencePath(LockTarget target) => Path.Join(target.StateDirectory, target.FileName + FenceSuffix);
}
