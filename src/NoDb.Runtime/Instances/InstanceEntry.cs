namespace NoDb.Instances;

/// <summary>
/// The cached instance of one controller class in one working directory, held weakly (an instance no caller references
/// may be collected and is loaded again later), and the epoch it was last checked in.
/// </summary>
internal sealed class InstanceEntry<T>(string workingDirectory, RefreshClock clock) : IStaleable
    where T : class
{
    private WeakReference<T>? _instance;

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Taken while the instance is loaded, so that concurrent first callers cause one load.</summary>
    public object LoadSync { get; } = new();

    /// <summary>The <see cref="RefreshClock"/> epoch of the last disk check; the instance is trusted while it is current.</summary>
    public volatile int CheckedEpoch = int.MinValue;

    /// <summary>How many times the document was read to fill this entry (for tests and diagnostics).</summary>
    public int Loads;

    /// <summary>The instance, while one is loaded and someone still references it.</summary>
    public T? Instance
    {
        get => Volatile.Read(ref _instance) is { } weak && weak.TryGetTarget(out T? live) ? live : null;
        set => Volatile.Write(ref _instance, value is null ? null : new WeakReference<T>(value));
    }

    /// <summary>Set, under <see cref="LoadSync"/>, when a sweep forgot the entry: a loader that finds it set starts over.</summary>
    public bool Removed { get; set; }

    public bool IsFresh => CheckedEpoch == clock.Epoch;

    public void Checked(int epoch) => CheckedEpoch = epoch;

    public void MarkStale() => CheckedEpoch = int.MinValue;
}
