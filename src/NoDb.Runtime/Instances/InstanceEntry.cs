namespace NoDb.Instances;

/// <summary>The cached instance of one controller class in one working directory, and the epoch it was last checked in.</summary>
internal sealed class InstanceEntry<T>(string workingDirectory) : IStaleable
    where T : class
{
    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Taken while the instance is loaded, so that concurrent first callers cause one load.</summary>
    public object LoadSync { get; } = new();

    public volatile T? Instance;

    /// <summary>The <see cref="RefreshClock"/> epoch of the last disk check; the instance is trusted while it is current.</summary>
    public volatile int CheckedEpoch = int.MinValue;

    /// <summary>How many times the document was read to fill this entry (for tests and diagnostics).</summary>
    public int Loads;

    public bool IsFresh => CheckedEpoch == RefreshClock.Epoch;

    public void Checked(int epoch) => CheckedEpoch = epoch;

    public void MarkStale() => CheckedEpoch = int.MinValue;
}
