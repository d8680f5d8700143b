namespace NoDb.Instances;

/// <summary>The cached instance of one controller class in one working directory, and when to look at the disk again.</summary>
internal sealed class InstanceEntry<T>(string workingDirectory)
    where T : class
{
    private long _nextCheck;

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Taken while the instance is loaded, so that concurrent first callers cause one load.</summary>
    public object LoadSync { get; } = new();

    public volatile T? Instance;

    /// <summary>How many times the document was read to fill this entry (for tests and diagnostics).</summary>
    public int Loads;

    public bool IsDue(long now) => now >= Volatile.Read(ref _nextCheck);

    public void CheckedAt(long now, TimeSpan interval) =>
        Volatile.Write(ref _nextCheck, now + (long)interval.TotalMilliseconds);
}
