namespace NoDb;

/// <summary>Thrown when a lock that must be free at once is held by another holder.</summary>
public sealed class NoDbAlreadyLockedException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbAlreadyLockedException(string filePath)
        : base($"The lock of '{filePath}' is held by another holder. Wait for it with LockAsync(timeout), " +
               "or use TryLockAsync and retry later.")
    {
        FilePath = filePath;
    }
}
