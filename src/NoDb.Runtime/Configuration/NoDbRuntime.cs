using NoDb.Instances;
using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.Storage;

namespace NoDb;

/// <summary>The process-wide entry point of NoDb: configuration and run-level operations.</summary>
public static class NoDbRuntime
{
    private static readonly object Sync = new();
    private static NoDbOptions? s_options;
    private static ILockBackend? s_backend;

    /// <summary>The options in force (the defaults until <see cref="Configure"/> is called).</summary>
    internal static NoDbOptions Options
    {
        get
        {
            if (Volatile.Read(ref s_options) is { } options)
            {
                return options;
            }

            lock (Sync)
            {
                if (s_options is null)
                {
                    NoDbOptions defaults = Validated(new NoDbOptions());
                    RefreshClock.Start(defaults.RefreshInterval);
                    s_options = defaults;
                }

                return s_options;
            }
        }
    }

    internal static ILockBackend Backend
    {
        get
        {
            if (Volatile.Read(ref s_backend) is { } backend)
            {
                return backend;
            }

            lock (Sync)
            {
                return s_backend ??= CreateBackend(Options);
            }
        }
    }

    /// <summary>
    /// Sets the options for this process. Call it once at start-up, before the first controller is used; locks already
    /// held keep the backend they were taken with.
    /// </summary>
    /// <param name="configure">Changes the defaults, for example <c>o =&gt; o.DefaultLockTimeout = TimeSpan.FromMinutes(2)</c>.</param>
    public static void Configure(Action<NoDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new NoDbOptions();
        configure(options);
        Validated(options);
        ILockBackend backend = CreateBackend(options);
        ILockBackend? replaced;
        lock (Sync)
        {
            replaced = s_backend;
            s_options = options;
            s_backend = backend;
            RefreshClock.Start(options.RefreshInterval);
        }

        // Leases taken through the replaced backend keep working until released; it only stops listening.
        (replaced as IDisposable)?.Dispose();
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
        var outcome = new ClearOutcome();
        foreach (string directory in RunDirectories(runId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            outcome.Add(await Backend.ClearLocksAsync(directory, cancellationToken).ConfigureAwait(false));
            LockCoordinator.ForceReleaseAll(directory, $"the locks of run '{runId}' were cleared");
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
        var holders = new List<NoDbLockHolder>();
        foreach (string directory in RunDirectories(runId))
        {
            holders.AddRange(await Backend.GetHoldersAsync(directory, cancellationToken).ConfigureAwait(false));
        }

        return holders;
    }

    private static HashSet<string> RunDirectories(string runId)
    {
        NoDbPaths.ValidateRunId(runId);
        var directories = new HashSet<string>(KnownRuns.WorkingDirectories(runId), StringComparer.Ordinal);
        if (Options.RunDirectoryResolver?.Invoke(runId) is { } resolved)
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

    private static NoDbOptions Validated(NoDbOptions options)
    {
        options.Validate();
        return options;
    }

    private static ILockBackend CreateBackend(NoDbOptions options) =>
        options.RedisConfiguration is { } redis
            ? new Locking.Redis.RedisLockBackend(Locking.Redis.RedisConnections.Get(redis), options.LeaseDuration, options.CacheTimeToLive, options.LeaseCheckInterval)
            : new FileLockBackend(options.LeaseCheckInterval);
}
