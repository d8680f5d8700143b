using System.Collections.Immutable;
using NoDb.Engine;
using NoDb.Locking;
using NoDb.Storage;

namespace NoDb;

/// <summary>The process-wide entry point of NoDb: configuration and run-level operations.</summary>
public static class NoDbRuntime
{
    private static readonly object Sync = new();
    private static readonly AsyncLocal<NoDbEngine?> FlowEngine = new();
    private static NoDbEngine? s_engine;
    private static NoDbEngine? s_configured;
    private static ImmutableList<NoDbEngine> s_hosted = ImmutableList<NoDbEngine>.Empty;
    private static volatile bool s_flowBindingUsed;

    // The engine in force for every flow while no flow was ever bound to a host (null before first use, once one was
    // bound, and while none is configured): what the caches of the engine in force are made from.
    private static NoDbEngine? s_unbound;

    // What caches something of s_unbound (each controller type's registry in it), cleared whenever s_unbound changes.
    private static ImmutableHashSet<Action> s_inForceCaches = [];

    /// <summary>
    /// The engine in force for the calling flow: the one bound by <see cref="UseHost"/>, else the engine of the host that
    /// started last and still runs, else the one <see cref="Configure"/> built (the defaults on first use).
    /// </summary>
    internal static NoDbEngine Engine
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_unbound) ?? EngineSlow();
    }

    /// <summary>The engine every flow uses while no flow was ever bound to a host, or <see langword="null"/>.</summary>
    internal static NoDbEngine? UnboundEngine => Volatile.Read(ref s_unbound);

    /// <summary>
    /// Runs <paramref name="publish"/> (which fills a cache of the engine in force) if <paramref name="engine"/> is still
    /// <see cref="UnboundEngine"/>, under the lock that changes it, so a cache is never filled from an engine already
    /// replaced; <paramref name="clear"/> (a static delegate: kept once) empties that cache whenever the engine changes.
    /// </summary>
    internal static void WhileInForce<TState>(NoDbEngine engine, TState state, Action<TState> publish, Action clear)
    {
        lock (Sync)
        {
            if (ReferenceEquals(s_unbound, engine))
            {
                s_inForceCaches = s_inForceCaches.Add(clear);
                publish(state);
            }
        }
    }

    private static NoDbEngine EngineSlow()
    {
        if (s_flowBindingUsed && FlowEngine.Value is { } bound)
        {
            return bound.IsDisposed ? throw HostStopped() : bound;
        }

        if (Volatile.Read(ref s_engine) is { } engine)
        {
            return engine;
        }

        lock (Sync)
        {
            return InForce(s_engine ?? (s_configured ??= new NoDbEngine(new NoDbOptions())));
        }
    }

    /// <summary>
    /// Puts <paramref name="engine"/> in force for the flows not bound to a host (called under <c>Sync</c>); none yet
    /// means the configured defaults are built on first use.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(engine))]
    private static NoDbEngine? InForce(NoDbEngine? engine)
    {
        s_engine = engine;
        SetUnbound(s_flowBindingUsed ? null : engine);
        return engine;
    }

    /// <summary>Changes <see cref="UnboundEngine"/> (under <c>Sync</c>), then clears every cache of it.</summary>
    private static void SetUnbound(NoDbEngine? engine)
    {
        if (!ReferenceEquals(Interlocked.Exchange(ref s_unbound, engine), engine))
        {
            foreach (Action clear in s_inForceCaches)
            {
                clear();
            }
        }
    }

    /// <summary>The options in force (the defaults until <see cref="Configure"/> is called).</summary>
    internal static NoDbOptions Options => Engine.Options;

    /// <summary>
    /// Sets the options for this process. Call it once at start-up, before the first controller is used. Reconfiguring
    /// starts a new engine: scopes and instances obtained before keep working on the engine they came from until released;
    /// instances obtained afterwards come from the new one. While a host started with <c>AddNoDb</c> runs, its runtime is
    /// in force instead; this one comes back when the host stops.
    /// </summary>
    /// <param name="configure">Changes the defaults, for example <c>o =&gt; o.DefaultLockTimeout = TimeSpan.FromMinutes(2)</c>.</param>
    public static void Configure(Action<NoDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new NoDbOptions();
        configure(options);
        var engine = new NoDbEngine(options);

        // Leases taken through the replaced engine keep working until released; it only stops listening.
        NoDbEngine? replaced;
        lock (Sync)
        {
            replaced = s_configured;
            s_configured = engine;
            InForce(s_hosted.IsEmpty ? engine : s_hosted[^1]);
        }

        replaced?.Dispose();
    }

    /// <summary>
    /// Until the returned value is disposed, NoDb calls made in the calling async flow (and in the tasks it starts) use the
    /// runtime of the host that owns <paramref name="services"/>, whichever host is in force process-wide. For processes
    /// that run more than one host (test hosts side by side): call it at the top of a <c>BackgroundService</c>'s
    /// <c>ExecuteAsync</c>, or in a middleware with <c>HttpContext.RequestServices</c>. One host per process needs none of this.
    /// </summary>
    /// <param name="services">The host's services (<c>IHost.Services</c>, <c>HttpContext.RequestServices</c>), with <c>AddNoDb</c> registered.</param>
    /// <returns>Restores the flow's previous runtime when disposed.</returns>
    /// <exception cref="InvalidOperationException"><c>AddNoDb</c> was not registered there, or that host is not running.</exception>
    public static IDisposable UseHost(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        NoDbEngine engine = (services.GetService(typeof(Hosting.NoDbHostedService)) as Hosting.NoDbHostedService
                ?? throw new InvalidOperationException("NoDbRuntime.UseHost needs the services of a host with services.AddNoDb() registered."))
            .Engine ?? throw new InvalidOperationException("NoDbRuntime.UseHost was given the services of a host that is not running: start the host first.");
        return Bind(engine);
    }

    /// <summary>Binds <paramref name="engine"/> to the calling flow until disposed (tests run one suite per engine this way).</summary>
    internal static IDisposable Bind(NoDbEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        lock (Sync)
        {
            s_flowBindingUsed = true;
            SetUnbound(null);
        }

        var binding = new FlowBinding(FlowEngine.Value);
        FlowEngine.Value = engine;
        return binding;
    }

    /// <summary>
    /// A host's engine goes in force when the host starts; hosts started later take precedence while they run. The
    /// engines of other hosts are never disposed here, so two hosts in one process do not undo each other's settings.
    /// </summary>
    internal static void InstallHosted(NoDbEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        lock (Sync)
        {
            s_hosted = s_hosted.Remove(engine).Add(engine);
            InForce(engine);
        }
    }

    /// <summary>
    /// Takes a host's engine out (the host does, when it stops): the host started before it, if one still runs, is in force
    /// again, else the configured runtime. Returns whether it was the one in force. The engine is not disposed here.
    /// </summary>
    internal static bool UninstallHosted(NoDbEngine engine)
    {
        lock (Sync)
        {
            bool wasInForce = ReferenceEquals(s_engine, engine);
            s_hosted = s_hosted.Remove(engine);
            InForce(s_hosted.IsEmpty ? s_configured : s_hosted[^1]);
            return wasInForce;
        }
    }

    private static InvalidOperationException HostStopped() => new(
        "This flow was bound to a host's NoDb runtime with NoDbRuntime.UseHost, and that host has stopped: dispose the " +
        "binding before stopping the host, or bind to a running one.");

    private sealed class FlowBinding(NoDbEngine? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                FlowEngine.Value = previous;
            }
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
