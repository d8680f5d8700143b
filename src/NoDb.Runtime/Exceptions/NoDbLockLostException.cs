namespace NoDb;

/// <summary>
/// Thrown when a holder tries to persist after its lock was lost: cleared, forced open, or taken by a
/// newer holder (its fencing number is no longer the current one). Nothing was written.
/// </summary>
public sealed class NoDbLockLostException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbLockLostException(string filePath, long fencingNumber, string reason)
        : base($"The lock of '{filePath}' (fencing number {fencingNumber}) was lost before this write: {reason}. " +
               "Nothing was written. Acquire the lock again and redo the change.")
    {
        FilePath = filePath;
        FencingNumber = fencingNumber;
    }

    /// <summary>The fencing number of the lost lock.</summary>
    public long FencingNumber { get; }
}
