using System.ComponentModel;
using NoDb.Engine;
using NoDb.Instances;
using NoDb.Locking;
using NoDb.Storage;

namespace NoDb.Infrastructure;

/// <summary>
/// The static members of controller <typeparamref name="T"/>: one cached instance per working directory per process,
/// detached copies, creation, and all-or-nothing updates. Generated controller members delegate here; this delegates to
/// the current engine.
/// </summary>
/// <typeparam name="T">The controller class.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "Called by generated code as NoDbController<Climate>.GetInstance(...); the type argument is always explicit.")]
public static class NoDbController<T>
    where T : class, INoDbController<T>
{
    private static InstanceRegistry<T> Registry => InstanceRegistry<T>.Current;

    /// <summary>How many times the document of <paramref name="workingDirectory"/> was read to create its cached instance.</summary>
    internal static int LoadsOf(string workingDirectory) => Registry.LoadsOf(workingDirectory);

    /// <summary>The shared instance for <paramref name="workingDirectory"/>; see the controller's <c>GetInstance</c>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static T GetInstance(string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        return InstanceRegistry<T>.TryFindCached(workingDirectory, out T? cached) ? cached : Registry.Find(workingDirectory) ?? throw NotFound(workingDirectory);
    }

    /// <summary>The shared instance, or <see langword="null"/> when the document does not exist.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static T? TryGetInstance(string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        return InstanceRegistry<T>.TryFindCached(workingDirectory, out T? cached) ? cached : Registry.Find(workingDirectory);
    }

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
        var target = new LockTarget(NoDbPaths.NormalizeWorkingDirectory(workingDirectory), T.NoDbFileName);
        return Registry.LoadDetached(target) ?? throw new NoDbNotFoundException(target.DocumentPath);
    }

    /// <summary>Creates the document; see the controller's <c>Create</c>.</summary>
    public static T Create(string workingDirectory, Action<T>? initialize) =>
        SyncViaAsync.Run(CreateCoreAsync(workingDirectory, initialize is null ? null : Synchronously(initialize), synchronous: true, CancellationToken.None));

    /// <summary>Creates the document; see the controller's <c>CreateAsync</c>.</summary>
    public static ValueTask<T> CreateAsync(string workingDirectory, Func<T, ValueTask>? initialize, CancellationToken cancellationToken) =>
        CreateCoreAsync(workingDirectory, initialize, synchronous: false, cancellationToken);

    /// <summary>Runs <paramref name="mutate"/> under the lock and persists; on an exception restores the committed state and rethrows.</summary>
    public static ValueTask UpdateAsync(T instance, Action<T> mutate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        return UpdateAsync(instance, Synchronously(mutate), cancellationToken);
    }

    /// <summary>Runs <paramref name="mutate"/> under the lock and persists; on an exception restores the committed state and rethrows.</summary>
    public static async ValueTask UpdateAsync(T instance, Func<T, ValueTask> mutate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
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

    /// <summary>Forgets the cached instance of <paramref name="workingDirectory"/> (for tests: a cold load in this process).</summary>
    internal static void Forget(string workingDirectory) => Registry.Forget(workingDirectory);

    /// <summary>The one creation protocol; <paramref name="synchronous"/> for <c>Create</c>, whose waits block its thread.</summary>
    private static async ValueTask<T> CreateCoreAsync(string workingDirectory, Func<T, ValueTask>? initialize, bool synchronous, CancellationToken cancellationToken)
    {
        NoDbEngine engine = NoDbRuntime.Engine;
        InstanceRegistry<T> registry = InstanceRegistry<T>.Of(engine);
        string directory = NoDbPaths.NormalizeWorkingDirectory(workingDirectory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"The working directory '{directory}' does not exist. Create the run directory before creating its controllers.");
        }

        var target = new LockTarget(directory, T.NoDbFileName);
        T instance = registry.Attach(target);
        NoDbLockScope scope = synchronous
            ? engine.Coordinator.Acquire(instance.NoDbCore, timeout: null, documentMustExist: false)
            : await engine.Coordinator.LockAsync(instance.NoDbCore, timeout: null, documentMustExist: false, cancellationToken).ConfigureAwait(false);
        try
        {
            if (DocumentFile.Stamp(target.WorkingDirectory, target.FileName) is not null)
            {
                throw new NoDbAlreadyExistsException(target.DocumentPath);
            }

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

        if (synchronous)
        {
            scope.Dispose();
        }
        else
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }

        return registry.Publish(workingDirectory, target, instance);
    }

    private static NoDbNotFoundException NotFound(string workingDirectory) =>
        new(NoDbPaths.Combine(NoDbPaths.NormalizeWorkingDirectory(workingDirectory), T.NoDbFileName));

    private static Func<T, ValueTask> Synchronously(Action<T> action) => instance =>
    {
        action(instance);
        return ValueTask.CompletedTask;
    };
}
