namespace NoDb;

/// <summary>
/// Thrown when a persist finds that the document on disk changed after the lock was acquired, by someone who did not take
/// the lock (a hand edit, a script, a tool). Nothing was written, and the controller's state was restored to what it was
/// when the lock was acquired; the next acquisition reads the document as it is now.
/// </summary>
public sealed class NoDbStaleWriteException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbStaleWriteException(string filePath, string change)
        : base($"'{filePath}' was changed on disk after this lock was acquired ({change}), by a writer that did not take the " +
               "lock. Nothing was written, so that change is kept; this holder's changes were undone. Acquire the lock again " +
               "(the instance then reads the document as it is now) and redo the change.")
    {
        FilePath = filePath;
    }
}
