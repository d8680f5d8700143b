namespace NoDb.Locking;

/// <summary>
/// Thrown by a backend when the lock was not free within the wait it was given. Distinct from <see cref="TimeoutException"/>,
/// which a client library may throw for a slow server (StackExchange.Redis's RedisTimeoutException derives from it).
/// </summary>
internal sealed class LockWaitTimeoutException : Exception
{
    public LockWaitTimeoutException()
        : base("The lock was not free within the wait.")
    {
    }

    public LockWaitTimeoutException(string message)
        : base(message)
    {
    }

    public LockWaitTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What the backend knows about why the lock stayed held, and how to clear it, for the user's message; or null.</summary>
    public string? Cause { get; init; }
}
