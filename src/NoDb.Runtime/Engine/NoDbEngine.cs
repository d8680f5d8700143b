using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NoDb.Diagnostics;
using NoDb.Instances;
using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.Locking.Redis;
using NoDb.Storage;

namespace NoDb.Engine;

/// <summary>
/// One configured NoDb: the options, the lock provider (file locks or Redis), the document cache and change notices when
/// the provider has them, the lock coordinator (flow marks, in-process gates, holders), the refresh clock and the cached
/// instances of every controller type. <see cref="NoDbRuntime"/> holds the current one; everything below reads state from
/// the engine it was made by, never from a global. Reconfiguring makes a new engine: scopes and instances of the old one
/// finish on it, new ones use the new.
/// </summary>
internal sealed class NoDbEngine : IDisposable
{
    private readonly ConcurrentDictionary<Type, IInstanceRegistry> _registries = new();
    private readonly object _registriesSync = new();
    private readonly RedisConnectionLog? _redisLog;
    private int _disposed;
    private string? _healthProbeDirectory;

    public NoDbEngine(NoDbOptions options)
        : this(options, redis: null)
    {
    }

    /// <summary>
    /// Builds an engine; with <paramref name="redis"/> (the application's own multiplexer, handed in by the host) the Redis
    /// backend runs on it instead of a connection NoDb opens from <see cref="NoDbOptions.RedisConfiguration"/>. NoDb never
    /// closes a multiplexer it was given.
    /// </summary>
    /// <param name="options">The options, validated here.</param>
    /// <param name="redis">The application's multiplexer, or <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log lines go; by default <see cref="NoDbOptions.LoggerFactory"/>, else nowhere.</param>
    public NoDbEngine(NoDbOptions options, StackExchange.Redis.IConnectionMultiplexer? redis, ILoggerFactory? loggerFactory = null)
    {
        options.Validate();
        Options = options;
        Logger = (loggerFactory ?? options.LoggerFactory)?.CreateLogger(NoDbLog.Category) ?? NullLogger.Instance;
        Clock = new RefreshClock(options.RefreshInterval, options.TimeProvider);
        Notices = new InstanceDirectory();
        Coordinator = new LockCoordinator(this);
        if (redis is not null || options.RedisConfiguration is not null)
        {
            var backend = new RedisLockBackend(
                redis ?? RedisConnections.Get(options.RedisConfiguration!), options.LeaseDuration, options.CacheTimeToLive, options.LeaseCheckInterval, Notices.MarkStale,
                FenceWaitOf(options), options.TimeProvider, Logger);
            Locks = backend;
            Cache = backend;
            _redisLog = RedisConnectionLog.Attach(backend.Redis, Logger);
        }
        else
        {
            Locks = new FileLockBackend(options.LeaseCheckInterval, FenceWaitOf(options), options.TimeProvider, Logger);
        }

        Gen2Callback.Register(this, static engine => ((NoDbEngine)engine).Sweep() >= 0);
    }

    public NoDbOptions Options { get; }

    /// <summary>The clock of every timer, lease and timeout: <see cref="NoDbOptions.TimeProvider"/>.</summary>
    public TimeProvider Time => Options.TimeProvider;

    /// <summary>The <c>NoDb</c> logger; the null logger unless a logger factory was given.</summary>
    public ILogger Logger { get; }

    /// <summary>How long a commit, force or clear may wait for a document's fence lock: the default lock timeout.</summary>
    public TimeSpan FenceWait => FenceWaitOf(Options);

    /// <summary>The lock provider.</summary>
    public ILockBackend Locks { get; }

    /// <summary>The shared document cache with change notices (Redis), or <see langword="null"/>.</summary>
    public IDocumentCache? Cache { get; }

    public LockCoordinator Coordinator { get; }

    public RefreshClock Clock { get; }

    public InstanceDirectory Notices { get; }

    /// <summary>The registry of one controller type, made on first use (once: its cached hits are counted from then on).</summary>
    public IInstanceRegistry Registry(Type controller, Func<NoDbEngine, IInstanceRegistry> create) =>
        _registries.TryGetValue(controller, out IInstanceRegistry? registry) ? registry : AddRegistry(controller, create);

    private IInstanceRegistry AddRegistry(Type controller, Func<NoDbEngine, IInstanceRegistry> create)
    {
        lock (_registriesSync)
        {
            if (!_registries.TryGetValue(controller, out IInstanceRegistry? registry))
            {
                registry = create(this);
                _registries[controller] = registry;
                if (!IsDisposed)
                {
                    LookupCounts.Track(registry);
                }
            }

            return registry;
        }
    }

    /// <summary>The working directories with a live instance or a held lock whose run id is <paramref name="runId"/>.</summary>
    public IEnumerable<string> WorkingDirectoriesOf(string runId) =>
        _registries.Values.SelectMany(r => r.WorkingDirectoriesOf(runId)).Concat(Coordinator.WorkingDirectoriesOf(runId));

    /// <summary>
    /// The working directory the health check probes in: made on first use under the temp folder with an unguessable name
    /// and mode 0700, reused by every check of this engine, and removed when the engine is disposed.
    /// </summary>
    public string HealthProbeDirectory()
    {
        if (Volatile.Read(ref _healthProbeDirectory) is { } existing)
        {
            return existing;
        }

        string path = Path.Join(Path.GetTempPath(), $"nodb-health-{Environment.ProcessId}-{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (Interlocked.CompareExchange(ref _healthProbeDirectory, path, null) is { } raced)
        {
            Directory.Delete(path);
            return raced;
        }

        return path;
    }

    /// <summary>Forgets the bookkeeping of instances that were collected; returns how many entries.</summary>
    public int Sweep() => _registries.Values.Sum(r => r.Sweep());

    private void DeleteHealthProbeDirectory()
    {
        if (Interlocked.Exchange(ref _healthProbeDirectory, null) is not { } path)
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NoDbLog.ProbeDirectoryLeft(Logger, path, e);
        }
    }

    private static TimeSpan FenceWaitOf(NoDbOptions options) =>
        options.DefaultLockTimeout.TotalMilliseconds >= int.MaxValue ? Timeout.InfiniteTimeSpan : options.DefaultLockTimeout;

    /// <summary>Whether <see cref="Dispose"/> ran: the host that owned this engine stopped, or it was reconfigured away.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Stops the clock and the provider's listening; leases already taken keep working until released.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Clock.Dispose();
        lock (_registriesSync)
        {
            foreach (IInstanceRegistry registry in _registries.Values)
            {
                LookupCounts.Retire(registry);
            }
        }

        _redisLog?.Dispose();
        (Locks as IDisposable)?.Dispose();
        DeleteHealthProbeDirectory();
    }
}
