using System.Collections.Concurrent;
using System.ComponentModel;
using NoDb.Locking;
using NoDb.Storage;

using NoDb.Instances;

namespace NoDb.Infrastructure;

/// <summary>
/// The static members of controller <typeparamref name="T"/>: one cached instance per working directory per process,
/// detached copies, creation, and all-or-nothing updates. Generated controller members delegate here.
/// </summary>
/// <typeparam name="T">The controller class.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "Called by generated code as NoDbController<Climate>.GetInstance(...); the type argument is always explicit.")]
public static class NoDbController<T>
    where T : class, INoDbController<T>
{
    private const int MaxInputAliases = 4096;

    // Keyed by the exact string callers pass, so the hot path neither normalises nor allocates.
    private static readonly ConcurrentDictionary<string, InstanceEntry<T>> ByInput = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, InstanceEntry<T>> ByDirectory = new(StringComparer.Ordinal);
    private static readonly string FileName = ValidatedFileName();

    /// <summary>How many times the document of <paramref name="workingDirectory"/> was read to create its cached instance.</summary>
    internal static int LoadsOf(string workingDirectory) =>
        ByDirectory.TryGetValue(NoDbPaths.NormalizeWorkingDirectory(workingDirectory), out InstanceEntry<T>? entry) ? Volatile.Read(ref entry.Loads) : 0;

    /// <summary>The shared instance for <paramref name="workingDirectory"/>; see the controller's <c>GetInstance</c>.</summary>
    public static T GetInstance(string workingDirectory) =>
        Find(workingDirectory) ?? throw new NoDbNotFoundException(NoDbPaths.Combine(NoDbPaths.NormalizeWorkingDirectory(workingDirectory), FileName));

    /// <summary>The shared instance, or <see langword="null"/> when the document does not exist.</summary>
    public static T? TryGetInstance(string workingDirectory) => Find(workingDirectory);

    /// <summary>The asynchronous form of <see cref="GetInstance"/>; documents are read from the local disk.</summary>
    public static ValueTask<T> GetInstanceAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(GetInstance(workingDirectory));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<T>(e);
        }
    }

    /// <summary>A fresh copy read from disk, not cached and not shared; see the controller's <c>LoadDetached</c>.</summary>
    public static T LoadDetached(string workingDirectory)
    {
        var target = new LockTarget(NoDbPaths.NormalizeWorkingDirectory(workingDirectory), FileName);
        return LoadFromDisk(target) ?? throw new NoDbNotFoundException(target.DocumentPath);
    }

    /// <summary>Creates the document; see the controller's <c>Create</c>.</summary>
    public static T Create(string workingDirectory, Action<T>? initialize)
    {
        (T instance, LockTarget target) = NewDetached(workingDirectory);
        using (NoDbLockScope scope = LockCoordinator.Acquire(instance.NoDbCore, timeout: null, documentMustExist: false))
        {
            ThrowIfExists(target, scope);
            try
            {
                initialize?.Invoke(instance);
            }
            catch
            {
                scope.Discard();
                throw;
            }
        }

        return Publish(workingDirectory, target, instance);
    }

    /// <summary>Creates the document; see the controller's <c>CreateAsync</c>.</summary>
    public static async ValueTask<T> CreateAsync(string workingDirectory, Func<T, ValueTask>? initialize, CancellationToken cancellationToken)
    {
        (T instance, LockTarget target) = NewDetached(workingDirectory);
        NoDbLockScope scope = await LockCoordinator.LockAsync(
            instance.NoDbCore, timeout: null, documentMustExist: false, cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfExists(target, scope);
            if (initialize is not null)
            {
                await initialize(instance).ConfigureAwait(false);
            }
        }
        catch
        {
            scope.Discard();
            throw;
        }

        await scope.DisposeAsync().ConfigureAwait(false);
        return Publish(workingDirectory, target, instance);
    }

    /// <summary>Runs <paramref name="mutate"/> under the lock and persists; on an exception restores the committed state and rethrows.</summary>
    public static async ValueTask UpdateAsync(T instance, Action<T> mutate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        NoDbLockScope scope = await instance.NoDbCore.LockAsync(timeout: null, cancellationToken).ConfigureAwait(false);
        try
        {
            mutate(instance);
        }
        catch
        {
            scope.Discard();
            throw;
        }

        await scope.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="mutate"/> under the lock and persists; on an exception restores the committed state and rethrows.</summary>
    public static async ValueTask UpdateAsync(T instance, Func<T, ValueTask> mutate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        NoDbLockScope scope = await instance.NoDbCore.LockAsync(timeout: null, cancellationToken).ConfigureAwait(false);
        try
        {
            await mutate(instance).ConfigureAwait(false);
        }
        catch
        {
            scope.Discard();
            throw;
        }

        await scope.DisposeAsync().ConfigureAwait(false);
    }

    private static T? Find(string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        if (ByInput.TryGetValue(workingDirectory, out InstanceEntry<T>? known) && known.IsFresh && known.Instance is { } cached)
        {
            return cached;
        }

        int epoch = RefreshClock.EpochForCheck;
        string directory = NoDbPaths.NormalizeWorkingDirectory(workingDirectory);
        var target = new LockTarget(directory, FileName);
        if (target.IsReadOnly)
        {
            // Read-only runs are never cached: every call reads the document as it is.
            Evict(directory);
            return LoadFromDisk(target);
        }

        InstanceEntry<T> entry = ByDirectory.GetOrAdd(directory, static d => new InstanceEntry<T>(d));
        T? instance = entry.Instance is { } existing ? Revalidate(entry, existing, target) : LoadOnce(entry, target);
        if (instance is not null)
        {
            entry.Checked(epoch);
            Remember(workingDirectory, entry);
        }

        return instance;
    }

    private static T? Revalidate(InstanceEntry<T> entry, T instance, LockTarget target)
    {
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

            return LoadOnce(entry, target);
        }

        return instance;
    }

    private static T? LoadOnce(InstanceEntry<T> entry, LockTarget target)
    {
        lock (entry.LoadSync)
        {
            if (entry.Instance is { } raced)
            {
                return raced;
            }

            T? loaded = LoadFromCache(target) ?? LoadFromDisk(target);
            if (loaded is not null)
            {
                Interlocked.Increment(ref entry.Loads);
                entry.Instance = loaded;
                InstanceDirectory.Register(target.Identity(), entry);
            }

            return loaded;
        }
    }

    /// <summary>A cold load from the shared cache, when the backend has one and it is current; a corrupt entry is dropped.</summary>
    private static T? LoadFromCache(LockTarget target)
    {
        if (NoDbRuntime.Backend is not IDocumentCache cache || cache.TryRead(target) is not { } cached)
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
        catch (NoDbCorruptFileException)
        {
            cache.Invalidate(target);
            return null;
        }
    }

    /// <summary>Forgets the cached instance of <paramref name="workingDirectory"/> (for tests: a cold load in this process).</summary>
    internal static void Forget(string workingDirectory) => Evict(NoDbPaths.NormalizeWorkingDirectory(workingDirectory));

    private static T? LoadFromDisk(LockTarget target)
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

    private static (T Instance, LockTarget Target) NewDetached(string workingDirectory)
    {
        string directory = NoDbPaths.NormalizeWorkingDirectory(workingDirectory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"The working directory '{directory}' does not exist. Create the run directory before creating its controllers.");
        }

        var target = new LockTarget(directory, FileName);
        return (Attach(target), target);
    }

    private static void ThrowIfExists(LockTarget target, NoDbLockScope scope)
    {
        if (DocumentFile.Stamp(target.WorkingDirectory, target.FileName) is not null)
        {
            scope.Discard();
            throw new NoDbAlreadyExistsException(target.DocumentPath);
        }
    }

    private static T Publish(string input, LockTarget target, T instance)
    {
        InstanceEntry<T> entry = ByDirectory.GetOrAdd(target.WorkingDirectory, static d => new InstanceEntry<T>(d));
        int epoch = RefreshClock.EpochForCheck;
        T published;
        lock (entry.LoadSync)
        {
            // A reader may have loaded the new document between the commit and here: keep its instance (one object per
            // working directory), brought up to date, rather than replace it.
            published = entry.Instance ??= instance;
        }

        InstanceDirectory.Register(target.Identity(), entry);

        if (!ReferenceEquals(published, instance))
        {
            published.NoDbCore.RefreshIfChanged();
        }

        entry.Checked(epoch);
        Remember(input, entry);
        return published;
    }

    private static T Attach(LockTarget target)
    {
        T instance = T.NoDbCreateBlank();
        instance.NoDbAttach(new ControllerCore<T>(target, instance));
        KnownRuns.Add(target);
        return instance;
    }

    private static string ValidatedFileName()
    {
        NoDbPaths.ValidateFileName(T.NoDbFileName);
        return T.NoDbFileName;
    }

    private static void Remember(string input, InstanceEntry<T> entry)
    {
        if (ByInput.Count >= MaxInputAliases)
        {
            ByInput.Clear();
        }

        ByInput[input] = entry;
    }

    private static void Evict(string directory)
    {
        if (ByDirectory.TryRemove(directory, out InstanceEntry<T>? entry))
        {
            lock (entry.LoadSync)
            {
                entry.Instance = null;
            }
        }
    }
}
