using NoDb.Diagnostics;

namespace NoDb.Instances;

/// <summary>
/// The cached instance of one controller class in one working directory, and whether it is trusted without a disk check.
/// The instance is held strongly while it is in use and weakly once it is not: each sweep (after a full collection) lets go
/// of the strong reference of an entry nobody asked for since the previous sweep and that is not trusted now, so an
/// instance no caller references is collected after two full collections without use, while the hot path of
/// <c>GetInstance</c> reads one field.
/// </summary>
internal sealed class InstanceEntry<T>(string workingDirectory) : IStaleable
    where T : class
{
    private T? _strong;
    private WeakReference<T>? _weak;
    private T? _trusted;
    private volatile bool _used;
    private volatile bool _countsHits;

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Taken while the instance is loaded, so that concurrent first callers cause one load.</summary>
    public object LoadSync { get; } = new();

    /// <summary>Whether the entry is registered for change notices under its document's identity.</summary>
    public volatile bool NamedForNotices;

    /// <summary>How many times the document was read to fill this entry (for tests and diagnostics).</summary>
    public int Loads;

    /// <summary>The cached hits of this entry counted while <see cref="CountsHits"/> (added atomically).</summary>
    public long Hits;

    /// <summary>
    /// Whether the hot path counts its hits in <see cref="Hits"/>: <c>nodb.instance.lookups</c> had a listener when the
    /// instance was last trusted (so counting follows a listener from the next disk check, within one refresh interval).
    /// </summary>
    public bool CountsHits => _countsHits;

    /// <summary>
    /// The instance, while it was checked against the disk in the current refresh epoch and nothing said it changed since:
    /// the hot path of <c>GetInstance</c>. <see langword="null"/> when the next use must look at the disk.
    /// </summary>
    public T? Trusted
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _trusted);
    }

    /// <summary>The instance, while one is loaded and someone still references it (asking marks it in use).</summary>
    public T? Instance
    {
        get
        {
            if (Volatile.Read(ref _strong) is { } held)
            {
                if (!_used)
                {
                    _used = true;
                }

                return held;
            }

            if (Volatile.Read(ref _weak) is { } weak && weak.TryGetTarget(out T? live))
            {
                // In use again. Only if the entry still names this instance: a loader may have replaced it meanwhile.
                _used = true;
                if (Interlocked.CompareExchange(ref _strong, live, null) is null && !ReferenceEquals(Volatile.Read(ref _weak), weak))
                {
                    Interlocked.CompareExchange(ref _strong, null, live);
                    return Instance;
                }

                return Volatile.Read(ref _strong) ?? live;
            }

            return null;
        }

        set
        {
            Volatile.Write(ref _weak, value is null ? null : new WeakReference<T>(value));
            Volatile.Write(ref _strong, value);
            Volatile.Write(ref _trusted, null);
            _used = value is not null;
        }
    }

    /// <summary>Whether the instance is alive, without marking it in use (for listings and sweeps).</summary>
    public bool IsAlive => Volatile.Read(ref _strong) is not null || (Volatile.Read(ref _weak) is { } weak && weak.TryGetTarget(out _));

    /// <summary>
    /// For the sweep: lets go of the strong reference if nobody asked for the instance since the last sweep and it is not
    /// trusted now (a trusted instance may be served without asking), and says whether the instance is still alive
    /// (without marking it in use).
    /// </summary>
    public bool Demote()
    {
        if (!_used && Volatile.Read(ref _trusted) is null)
        {
            Volatile.Write(ref _strong, null);
        }

        _used = false;
        return Volatile.Read(ref _strong) is not null || (Volatile.Read(ref _weak) is { } weak && weak.TryGetTarget(out _));
    }

    /// <summary>Set, under <see cref="LoadSync"/>, when a sweep forgot the entry: a loader that finds it set starts over.</summary>
    public bool Removed { get; set; }

    /// <inheritdoc/>
    public void Trust()
    {
        _countsHits = LookupCounts.Listening;
        Volatile.Write(ref _trusted, Volatile.Read(ref _strong));
    }

    /// <inheritdoc/>
    public void MarkStale() => Volatile.Write(ref _trusted, null);
}
