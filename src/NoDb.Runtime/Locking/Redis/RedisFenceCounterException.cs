namespace NoDb.Locking.Redis;

/// <summary>
/// A document's fencing counter in Redis cannot issue the next number: it is not a whole number (set by hand or by a
/// bug), or it is at <see cref="long.MaxValue"/>. Thrown before anything was written; no lease was taken.
/// </summary>
internal sealed class RedisFenceCounterException : NoDbException
{
    public RedisFenceCounterException(string filePath, string fenceKey, string reason, string value)
        : base($"The fencing counter of '{filePath}' in Redis, key '{fenceKey}', is {reason} (it holds '{value}'), so no " +
               "fencing number can be issued; no lock was taken. Only NoDb writes this key: if nothing else should, delete it " +
               $"(redis-cli DEL {fenceKey}) and the next acquisition seeds it again from the number on disk, in the " +
               "document's .nodb/<file>.fence.")
    {
        FilePath = filePath;
        FenceKey = fenceKey;
    }

    /// <summary>The Redis key of the counter.</summary>
    public string FenceKey { get; }
}
