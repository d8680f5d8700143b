namespace NoDb;

/// <summary>Thrown when a lock could not be acquired within the timeout.</summary>
public class NoDbLockTimeoutException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbLockTimeoutException(string filePath, TimeSpan timeout)
        : this(filePath, timeout,
               $"Timed out after {timeout.TotalSeconds:0.###} s waiting for the lock of '{filePath}'. Another holder kept it " +
               "for longer: pass a longer timeout to LockAsync, raise NoDbOptions.DefaultLockTimeout, or find the holder " +
               "that does not release it (ForceUnlockAsync clears a lock left by a holder that is gone).")
    {
    }

    /// <summary>Creates the exception with a message of a derived type's own.</summary>
    protected NoDbLockTimeoutException(string filePath, TimeSpan timeout, string message)
        : base(message)
    {
        FilePath = filePath;
        Timeout = timeout;
    }

    /// <summary>The exception when the backend knows why the lock stayed held (e.g. a Redis key with no expiry) and how to clear it.</summary>
    internal static NoDbLockTimeoutException WithCause(string filePath, TimeSpan timeout, string cause) =>
        new(filePath, timeout, $"Timed out after {timeout.TotalSeconds:0.###} s waiting for the lock of '{filePath}': {cause}");

    /// <summary>How long the caller waited.</summary>
    public TimeSpan Timeout { get; }
}
