using NoDb.Diagnostics;

namespace NoDb.Instances;

/// <summary>
/// The cached instance of one controller class in one working directory, and whether it is trusted without a disk check.
/// The instance is held strongly while it is in use and weakly once it is not: each sweep (after a full collection) lets go
/// of the strong reference of an entry nobody asked for since the previous sweep and that is not trusted now, so an
/// instance no caller references is collected after two full collections without use, while the hot path of
/// <c>GetInstance</c> reads one field.
/// </summary>
internal sealed class InstanceEntry<T>(string workingDirectory, int lookupSlot) : IStaleable
    where T : class
{
    private T? _strong;
    private WeakReference<T>? _weak;
    private T? _trusted;
    private volatile bool _used;
    private volatile HitCounting _hitCounting;
    private volatile bool _removed;
    private int _staleness;
    private int _lastTruster;

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Taken while the instance is loaded, so that concurrent first callers cause one load.</summary>
    public object LoadSync { get; } = new();

    /// <summary>Whether the entry is registered for change notices under its document's identity.</summary>
    public volatile bool NamedForNotices;

    /// <summary>How many times the document was read to fill this entry (for tests and diagnostics).</summary>
    public int Loads;

    /// <summary>The cached hits of this entry counted here (see <see cref="CountHit"/>).</summary>
    public long Hits;

    /// <summary>
    /// Counts one cached hit, if <c>nodb.instance.lookups</c> had a listener when the instance was last trusted or has
    /// collected since (so counting follows a new listener from its first collection or the next refresh tick, whichever
    /// comes first): atomically in <see cref="Hits"/> while one thread trusted the entry at the last two checks, else in
    /// each calling thread's own cells, so that threads sharing one run never fight over one cache line. Each hit is
    /// counted once either way.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void CountHit()
    {
        HitCounting counting = _hitCounting;
        if (counting == HitCounting.InEntry)
        {
            Interlocked.Increment(ref Hits);
        }
        else if (counting != HitCounting.Off)
        {
            LookupCounts.Count(lookupSlot, LookupCounts.Hit);
        }
    }

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
            Interlocked.Exchange(ref _trusted, null); // after the write above: a Trust that missed it sees it (see Trust)
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
    public bool Removed
    {
        get => _removed;
        set => _removed = value;
    }

    /// <inheritdoc/>
    public int EnlistedEpoch { get; set; }

    /// <summary>How many times the entry was marked stale: a check reads it before the disk, and is not trusted if it moved.</summary>
    public int Staleness => Volatile.Read(ref _staleness);

    /// <summary>
    /// Serves <paramref name="checkedInstance"/> without a disk check until <see cref="MarkStale"/>, if the entry still holds
    /// it, was not removed and was not marked stale since the check read <paramref name="staleness"/> (the caller holds the
    /// clock's lock). A concurrent <see cref="Instance"/> change, removal or <see cref="MarkStale"/> either happens before
    /// the first look (nothing is trusted) or is seen by the second (the trust is taken back).
    /// </summary>
    /// <returns>Whether the instance is trusted.</returns>
    public bool Trust(T checkedInstance, int staleness)
    {
        if (!StillAsChecked(checkedInstance, staleness))
        {
            return false;
        }

        // The thread that checks an entry at each new epoch is the first to use it then: the same one twice running is
        // taken as the sign that one thread uses it (a single worker's loop); anything else counts per thread.
        int truster = Environment.CurrentManagedThreadId;
        bool sameTruster = Interlocked.Exchange(ref _lastTruster, truster) == truster;
        _hitCounting = !LookupCounts.Listening ? HitCounting.Off : sameTruster ? HitCounting.InEntry : HitCounting.InThreadCells;
        Interlocked.Exchange(ref _trusted, checkedInstance);
        if (!StillAsChecked(checkedInstance, staleness))
        {
            Interlocked.CompareExchange(ref _trusted, null, checkedInstance);
            return false;
        }

        return true;
    }

    /// <summary>A listener collects lookups: an entry trusted while nobody listened counts its hits from now on.</summary>
    public void StartCounting()
    {
        if (_hitCounting == HitCounting.Off)
        {
            _hitCounting = HitCounting.InThreadCells;
        }
    }

    /// <inheritdoc/>
    public void MarkStale()
    {
        Interlocked.Increment(ref _staleness);
        Interlocked.Exchange(ref _trusted, null); // after the count: a Trust that read the old count sees the new one
    }

    private bool StillAsChecked(T checkedInstance, int staleness) =>
        ReferenceEquals(Volatile.Read(ref _strong), checkedInstance) && !_removed && Volatile.Read(ref _staleness) == staleness;
}

/// <summary>Where an entry counts its cached hits (see <see cref="InstanceEntry{T}.CountHit"/>).</summary>
internal enum HitCounting
{
    /// <summary>Nobody listened to <c>nodb.instance.lookups</c> when the entry was trusted.</summary>
    Off,

    /// <summary>In the entry, atomically: one thread trusted it at the last two checks.</summary>
    InEntry,

    /// <summary>In each calling thread's own cells.</summary>
    InThreadCells,
}
