using System.Collections.Concurrent;
using NoDb.Diagnostics;
using NoDb.Engine;
using NoDb.Infrastructure;
using NoDb.Locking;
using NoDb.Storage;

namespace NoDb.Instances;

/// <summary>
/// The cached instances of controller <typeparamref name="T"/> in one engine: one per working directory while anyone
/// references it, loaded from the shared cache or the disk, refreshed in place when the document changed. Entries whose
/// instance was collected are swept after full collections, so touching many runs does not grow memory for good.
/// </summary>
internal sealed class InstanceRegistry<T> : IInstanceRegistry
    where T : class, INoDbController<T>
{
    private const int MaxInputAliases = 4096;

    // The registry asked for last: the current engine's, in every process that does not reconfigure.
    private static InstanceRegistry<T>? s_last;

    // The registry of the engine in force for every flow while no flow is bound to a host, and its entries by input
    // string (the hot path's one read). Set by ResolveCurrent and cleared by NoDbRuntime, both under NoDbRuntime's lock
    // and only while that engine is in force, so the two always belong to the same registry or are null.
    private static InstanceRegistry<T>? s_inForce;
    private static ConcurrentDictionary<string, InstanceEntry<T>>? s_inForceByInput;

    // Keyed by the exact string callers pass, so the hot path neither normalises nor allocates.
    private readonly ConcurrentDictionary<string, InstanceEntry<T>> _byInput = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InstanceEntry<T>> _byDirectory = new(StringComparer.Ordinal);
    private readonly NoDbEngine _engine;
    private readonly RefreshClock _clock;
    private readonly string _fileName;
    private readonly int _lookups;
    private readonly object _hitsSync = new();
    private long _droppedHits;

    private InstanceRegistry(NoDbEngine engine)
    {
        _engine = engine;
        _clock = engine.Clock;
        NoDbPaths.ValidateFileName(T.NoDbFileName);
        _fileName = T.NoDbFileName;
        _lookups = LookupCounts.SlotOf(_fileName, NoDbTelemetry.BackendOf(engine));
    }

    /// <summary>The registry of <typeparamref name="T"/> in the engine in force for the caller.</summary>
    public static InstanceRegistry<T> Current
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_inForce) ?? ResolveCurrent();
    }

    private static InstanceRegistry<T> ResolveCurrent()
    {
        NoDbEngine engine = NoDbRuntime.Engine;
        InstanceRegistry<T> registry = Of(engine);
        if (ReferenceEquals(NoDbRuntime.UnboundEngine, engine))
        {
            // Under the lock that changes the engine in force, and only if this one still is: never a registry of another.
            NoDbRuntime.WhileInForce(
                engine,
                registry,
                static r =>
                {
                    Volatile.Write(ref s_inForce, r);
                    Volatile.Write(ref s_inForceByInput, r._byInput);
                },
                static () =>
                {
                    Volatile.Write(ref s_inForceByInput, null);
                    Volatile.Write(ref s_inForce, null);
                });
        }

        return registry;
    }

    /// <summary>The registry of <typeparamref name="T"/> in <paramref name="engine"/> (the last one asked for is remembered).</summary>
    public static InstanceRegistry<T> Of(NoDbEngine engine)
    {
        if (Volatile.Read(ref s_last) is { } last && ReferenceEquals(last._engine, engine))
        {
            return last;
        }

        var registry = (InstanceRegistry<T>)engine.Registry(typeof(T), static e => new InstanceRegistry<T>(e));
        Volatile.Write(ref s_last, registry);
        return registry;
    }

    /// <summary>How many times the document of <paramref name="workingDirectory"/> was read to create its cached instance.</summary>
    public int LoadsOf(string workingDirectory) =>
        _byDirectory.TryGetValue(NoDbPaths.NormalizeWorkingDirectory(workingDirectory), out InstanceEntry<T>? entry) ? Volatile.Read(ref entry.Loads) : 0;

    /// <inheritdoc/>
    public int LookupSlot => _lookups;

    /// <inheritdoc/>
    public long CollectCachedHits()
    {
        lock (_hitsSync)
        {
            // Enumerated without the map's locks: removals fold their counts under _hitsSync, which is held here.
            long total = _droppedHits;
            foreach (KeyValuePair<string, InstanceEntry<T>> pair in _byDirectory)
            {
                pair.Value.StartCounting();
                total += Volatile.Read(ref pair.Value.Hits);
            }

            return total;
        }
    }

    /// <summary>
    /// The hot path of <c>GetInstance</c>: the instance the registry in force last returned for this exact string, if it is
    /// trusted (checked against the disk in the current refresh epoch). Otherwise <see langword="false"/>, and
    /// <see cref="Find"/> on <see cref="Current"/> decides (always, in a process that binds flows to hosts).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool TryFindCached(string workingDirectory, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? instance)
    {
        if (Volatile.Read(ref s_inForceByInput) is { } byInput && byInput.TryGetValue(workingDirectory, out InstanceEntry<T>? known) && known.Trusted is { } cached)
        {
            known.CountHit();

            instance = cached;
            return true;
        }

        instance = null;
        return false;
    }

    /// <summary>The shared instance of <paramref name="workingDirectory"/> (cached, refreshed or loaded), or <see langword="null"/> when its document does not exist.</summary>
    public T? Find(string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        if (_byInput.TryGetValue(workingDirectory, out InstanceEntry<T>? known) && known.Trusted is { } cached)
        {
            return NoDbTelemetry.Lookup(_lookups, cached, LookupCounts.Hit);
        }

        int? epoch = _clock.EpochForCheck;
        string directory = NoDbPaths.NormalizeWorkingDirectory(workingDirectory);
        var target = new LockTarget(directory, _fileName);
        if (target.IsReadOnly)
        {
            // Read-only runs are never cached: every call reads the document as it is.
            Evict(directory);
            return NoDbTelemetry.Lookup(_lookups, LoadFromDisk(target), LookupCounts.Loaded);
        }

        while (true)
        {
            InstanceEntry<T> entry = _byDirectory.GetOrAdd(directory, static (d, slot) => new InstanceEntry<T>(d, slot), _lookups);
            int staleness = entry.Staleness; // before the disk is read: a change notice from now on is seen by Trust
            if (entry.Instance is { } existing)
            {
                T? instance = Revalidate(entry, existing, target, out bool removed);
                if (!removed)
                {
                    return NoDbTelemetry.Lookup(_lookups, Checked(workingDirectory, entry, epoch, staleness, instance), LookupCounts.Refreshed);
                }
            }
            else
            {
                T? instance = LoadOnce(entry, target, out bool removed);
                if (!removed)
                {
                    return NoDbTelemetry.Lookup(_lookups, Checked(workingDirectory, entry, epoch, staleness, instance), LookupCounts.Loaded);
                }
            }
        }
    }

    /// <summary>Publishes a newly created instance as the shared one (or brings an already shared one up to date).</summary>
    public T Publish(string input, LockTarget target, T instance)
    {
        int? epoch = _clock.EpochForCheck;
        while (true)
        {
            InstanceEntry<T> entry = _byDirectory.GetOrAdd(target.WorkingDirectory, static (d, slot) => new InstanceEntry<T>(d, slot), _lookups);
            int staleness = entry.Staleness;
            T published;
            lock (entry.LoadSync)
            {
                if (entry.Removed)
                {
                    continue;
                }

                // A reader may have loaded the new document between the commit and here: keep its instance (one object per
                // working directory), brought up to date, rather than replace it.
                published = entry.Instance ?? instance;
                entry.Instance = published;
            }

            RegisterForNotices(entry, target);
            if (!ReferenceEquals(published, instance))
            {
                published.NoDbCore.RefreshIfChanged();
            }

            return Checked(input, entry, epoch, staleness, published)!;
        }
    }

    /// <summary>A fresh copy read from disk, neither cached nor shared.</summary>
    public T? LoadDetached(LockTarget target) => LoadFromDisk(target);

    /// <summary>A new instance attached to <paramref name="target"/>, not yet published.</summary>
    public T Attach(LockTarget target)
    {
        T instance = T.NoDbCreateBlank();
        instance.NoDbAttach(new ControllerCore<T>(target, _engine, instance));
        return instance;
    }

    /// <summary>Forgets the cached instance of <paramref name="workingDirectory"/> (for tests: a cold load in this process).</summary>
    public void Forget(string workingDirectory) => Evict(NoDbPaths.NormalizeWorkingDirectory(workingDirectory));

    /// <inheritdoc/>
    public IEnumerable<string> WorkingDirectoriesOf(string runId)
    {
        foreach ((string directory, InstanceEntry<T> entry) in _byDirectory)
        {
            if (entry.IsAlive && string.Equals(Path.GetFileName(directory), runId, StringComparison.Ordinal))
            {
                yield return directory;
            }
        }
    }

    /// <inheritdoc/>
    public int Sweep()
    {
        int removed = 0;
        foreach (KeyValuePair<string, InstanceEntry<T>> pair in _byDirectory)
        {
            // Runs on the finalizer thread: never wait behind a loader (it may be reading Redis or the disk); a busy entry
            // is looked at after the next collection.
            InstanceEntry<T> entry = pair.Value;
            if (!Monitor.TryEnter(entry.LoadSync))
            {
                continue;
            }

            try
            {
                if (!entry.Demote() && Remove(pair))
                {
                    entry.Removed = true;
                    removed++;
                }
            }
            finally
            {
                Monitor.Exit(entry.LoadSync);
            }
        }

        foreach (KeyValuePair<string, InstanceEntry<T>> pair in _byInput)
        {
            if (pair.Value.Removed)
            {
                _byInput.TryRemove(pair);
            }
        }

        return removed;
    }

    private T? Checked(string input, InstanceEntry<T> entry, int? epoch, int staleness, T? instance)
    {
        if (instance is not null)
        {
            _clock.Trust(entry, instance, epoch, staleness);
            if (_byInput.Count >= MaxInputAliases)
            {
                _byInput.Clear();
            }

            _byInput[input] = entry;
        }

        return instance;
    }

    /// <summary>
    /// Names the entry for change notices (Redis only: the embedded backend has none) by its document's identity. A run
    /// gets its identity with its first Redis lock, possibly after the instance was loaded, so an entry not yet named is
    /// named again at each of its disk checks until it is.
    /// </summary>
    private void RegisterForNotices(InstanceEntry<T> entry, LockTarget target)
    {
        if (_engine.Cache is not null && target.KnownIdentity() is { } identity)
        {
            _engine.Notices.Register(identity, entry);
            entry.NamedForNotices = true;
        }
    }

    /// <summary>Names the shared entry of <paramref name="target"/> for change notices if it is not yet (after a lock gave the run its identity).</summary>
    public void NameForNotices(LockTarget target)
    {
        if (_byDirectory.TryGetValue(target.WorkingDirectory, out InstanceEntry<T>? entry) && !entry.NamedForNotices)
        {
            RegisterForNotices(entry, target);
        }
    }

    private T? Revalidate(InstanceEntry<T> entry, T instance, LockTarget target, out bool removed)
    {
        removed = false;
        if (!entry.NamedForNotices)
        {
            RegisterForNotices(entry, target);
        }

        if (instance.NoDbCore.RefreshIfChanged())
        {
            return instance;
        }

        // The document was deleted: forget the instance (unless a holder here is about to recreate it).
        if (!instance.NoDbCore.IsHeldHere)
        {
            lock (entry.LoadSync)
            {
                entry.Instance = null;
            }

            return LoadOnce(entry, target, out removed);
        }

        return instance;
    }

    private T? LoadOnce(InstanceEntry<T> entry, LockTarget target, out bool removed)
    {
        lock (entry.LoadSync)
        {
            removed = entry.Removed;
            if (removed)
            {
                return null;
            }

            if (entry.Instance is { } raced)
            {
                return raced;
            }

            T? loaded = LoadFromCache(target) ?? LoadFromDisk(target);
            if (loaded is not null)
            {
                Interlocked.Increment(ref entry.Loads);
                entry.Instance = loaded;
                RegisterForNotices(entry, target);
            }

            return loaded;
        }
    }

    /// <summary>A cold load from the shared cache, when the engine has one and it is current; a corrupt entry is dropped.</summary>
    private T? LoadFromCache(LockTarget target)
    {
        if (_engine.Cache is not { } cache || cache.TryRead(target) is not { } cached)
        {
            return null;
        }

        T instance = Attach(target);
        try
        {
            // The cache checked the entry against the disk's stamp; the first refresh check reads the disk, which stays the truth.
            instance.NoDbCore.Load(cached, stamp: null);
            return instance;
        }
        catch (NoDbCorruptFileException e)
        {
            NoDbLog.CorruptCacheEntry(_engine.Logger, target.DocumentPath, e.Message);
            cache.Invalidate(target);
            return null;
        }
    }

    private T? LoadFromDisk(LockTarget target)
    {
        // The stamp is of exactly the version read.
        if (DocumentFile.TryRead(target.WorkingDirectory, target.FileName) is not { } read)
        {
            return null;
        }

        T instance = Attach(target);
        instance.NoDbCore.Load(read.Bytes, read.Stamp);
        return instance;
    }

    private void Evict(string directory)
    {
        if (_byDirectory.TryGetValue(directory, out InstanceEntry<T>? entry) && Remove(new(directory, entry)))
        {
            lock (entry.LoadSync)
            {
                entry.Instance = null;
                entry.Removed = true;
            }
        }
    }

    /// <summary>Takes an entry out, its cached hits kept in the registry's total (no collection sees them twice or not at all).</summary>
    private bool Remove(KeyValuePair<string, InstanceEntry<T>> pair)
    {
        lock (_hitsSync)
        {
            if (!_byDirectory.TryRemove(pair))
            {
                return false;
            }

            _droppedHits += Volatile.Read(ref pair.Value.Hits);
            return true;
        }
    }
}

/// <summary>What the engine asks of every controller type's registry.</summary>
internal interface IInstanceRegistry : IHitCounts
{
    /// <summary>The working directories with a live instance whose run id is <paramref name="runId"/>.</summary>
    IEnumerable<string> WorkingDirectoriesOf(string runId);

    /// <summary>Forgets entries whose instance was collected; returns how many.</summary>
    int Sweep();
}
