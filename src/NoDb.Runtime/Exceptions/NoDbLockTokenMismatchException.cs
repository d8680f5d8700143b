namespace NoDb;

/// <summary>
/// Thrown when a lock token is used on a controller that does not hold the lock it names: a token of
/// another controller, or a token whose lock was already released, cleared or taken over.
/// </summary>
public sealed class NoDbLockTokenMismatchException : NoDbException
{
    /// <summary>Creates the exception with a message that says which token was used where.</summary>
    public NoDbLockTokenMismatchException(string message, string filePath)
        : base(message)
    {
        FilePath = filePath;
    }
}
