namespace NoDb;

/// <summary>
/// Thrown when a flow asks again for a lock it already holds. NoDb locks are not re-entrant: waiting
/// would deadlock, so the second request fails at once.
/// </summary>
public sealed class NoDbLockRecursionException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbLockRecursionException(string filePath)
        : base($"This flow already holds (or is acquiring) the lock of '{filePath}'; NoDb locks are not re-entrant. Use the " +
               "scope or token you already hold, or mark the called method [RequiresLock] instead of locking in it again. " +
               "Tasks started while the lock is held belong to the same flow; to start one that should wait for the lock " +
               "instead, start it after the scope ends or inside 'using (ExecutionContext.SuppressFlow())'.")
    {
        FilePath = filePath;
    }
}
