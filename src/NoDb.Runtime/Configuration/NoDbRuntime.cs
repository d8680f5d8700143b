using NoDb.Engine;
using NoDb.Locking;
using NoDb.Storage;

namespace NoDb;

/// <summary>The process-wide entry point of NoDb: configuration and run-level operations.</summary>
public static class NoDbRuntime
{
    private static readonly object Sync = new();
    private static NoDbEngine? s_engine;

    /// <summary>The engine in force: built from the defaults on first use, until <see cref="Configure"/> replaces it.</summary>
    internal static NoDbEngine Engine
    {
        get
        {
            if (Volatile.Read(ref s_engine) is { } engine)
            {
                return engine;
            }

            lock (Sync)
            {
                return s_engine ??= new NoDbEngine(new NoDbOptions());
            }
        }
    }

    /// <summary>The options in force (the defaults until <see cref="Configure"/> is called).</summary>
    internal static NoDbOptions Options => Engine.Options;

    /// <summary>
    /// Sets the options for this process. Call it once at start-up, before the first controller is used. Reconfiguring
    /// starts a new engine: scopes and instances obtained before keep working on the engine they came from until released;
    /// instances obtained afterwards come from the new one.
    /// </summary>
    /// <param name="configure">Changes the defaults, for example <c>o =&gt; o.DefaultLockTimeout = TimeSpan.FromMinutes(2)</c>.</param>
    public static void Configure(Action<NoDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new NoDbOptions();
        configure(options);

        // Leases taken through the replaced engine keep working until released; it only stops listening.
        Install(new NoDbEngine(options));
    }

    /// <summary>
    /// Puts a prebuilt engine in force (the host does, when it starts). The engine it replaces stops listening; its scopes
    /// and instances finish on it, as with <see cref="Configure"/>.
    /// </summary>
    internal static void Install(NoDbEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        NoDbEngine? replaced;
        lock (Sync)
        {
            replaced = s_engine;
            s_engine = engine;
        }

        if (!ReferenceEquals(replaced, engine))
        {
            replaced?.Dispose();
        }
    }

    /// <summary>
    /// Takes <paramref name="engine"/> out of force if it is still the one in force (the host does, when it stops): the next
    /// use builds the defaults again, as at process start. Returns whether it was in force. The engine is not disposed here.
    /// </summary>
    internal static bool Uninstall(NoDbEngine engine)
    {
        lock (Sync)
        {
            if (!ReferenceEquals(s_engine, engine))
            {
                return false;
            }

            s_engine = null;
            return true;
        }
    }

    /// <summary>
    /// Takes away every controller lock of one run (wepppy's <c>clear_locks</c>), and touches no other run. Holders in this
    /// process lose their scope at once; holders in other processes are fenced out (their writes are refused) and notice
    /// within <see cref="NoDbOptions.LeaseCheckInterval"/>.
    /// </summary>
    /// <remarks>
    /// It never stops halfway: every lock it can clear is cleared. If it refused to touch something (a symbolic link or
    /// another file planted where a lock, a fence or the state folder should be), it throws
    /// <see cref="NoDbClearLocksIncompleteException"/> at the end, naming each refusal, with the holders it did clear.
    /// </remarks>
    /// <param name="runId">The run id: the last segment of the working directory. A plain name, never a pattern.</param>
    /// <param name="cancellationToken">Cancels before the next lock is cleared.</param>
    /// <returns>The holders whose locks were cleared (wepppy's <c>clear_locks</c> returns what it cleared).</returns>
    /// <exception cref="NoDbClearLocksIncompleteException">Something was refused; everything else was cleared.</exception>
    public static async ValueTask<IReadOnlyList<NoDbLockHolder>> ClearLocksAsync(string runId, CancellationToken cancellationToken = default)
    {
        NoDbEngine engine = Engine;
        var outcome = new ClearOutcome();
        foreach (string directory in RunDirectories(engine, runId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                outcome.Add(await engine.Locks.ClearLocksAsync(directory, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                engine.Coordinator.ForceReleaseAll(directory, $"the locks of run '{runId}' were cleared");
            }
        }

        return outcome.Refused.Count == 0
            ? outcome.Cleared
            : throw new NoDbClearLocksIncompleteException(runId, outcome.Cleared, outcome.Refused);
    }

    /// <summary>
    /// Who holds the controller locks of one run now: document, host, process, when taken, when the lease expires (Redis),
    /// and fencing number. Touches no other run.
    /// </summary>
    /// <param name="runId">The run id: the last segment of the working directory.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>One entry per held lock.</returns>
    public static async ValueTask<IReadOnlyList<NoDbLockHolder>> GetLockHoldersAsync(string runId, CancellationToken cancellationToken = default)
    {
        NoDbEngine engine = Engine;
        var holders = new List<NoDbLockHolder>();
        foreach (string directory in RunDirectories(engine, runId))
        {
            holders.AddRange(await engine.Locks.GetHoldersAsync(directory, cancellationToken).ConfigureAwait(false));
        }

        return holders;
    }

    private static HashSet<string> RunDirectories(NoDbEngine engine, string runId)
    {
        NoDbPaths.ValidateRunId(runId);
        var directories = new HashSet<string>(engine.WorkingDirectoriesOf(runId), StringComparer.Ordinal);
        if (engine.Options.RunDirectoryResolver?.Invoke(runId) is { } resolved)
        {
            string directory = NoDbPaths.NormalizeWorkingDirectory(resolved);
            if (!string.Equals(Path.GetFileName(directory), runId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"NoDbOptions.RunDirectoryResolver mapped run '{runId}' to '{directory}', whose last segment is not the run id.");
            }

            directories.Add(directory);
        }

        return directories;
    }
}
