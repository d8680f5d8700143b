namespace NoDb;

/// <summary>
/// Thrown when a lock asked for with a zero timeout (do not wait) is held by another holder. It is a
/// <see cref="NoDbLockTimeoutException"/> whose timeout is zero, so code that catches timeouts catches it too.
/// </summary>
public sealed class NoDbAlreadyLockedException : NoDbLockTimeoutException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbAlreadyLockedException(string filePath)
        : base(filePath, TimeSpan.Zero,
               $"The lock of '{filePath}' is held by another holder and the caller asked not to wait (timeout zero). Wait " +
               "for it with LockAsync(timeout), or use TryLockAsync and retry later.")
    {
    }
}
