using NoDb.Engine;

namespace NoDb.TestSupport;

/// <summary>
/// One backend the tests run against: the embedded file locks, a redis-server, or a Redis Cluster, each started by its
/// fixture and stopped with it. It builds engines with the test options (a lost lock noticed within
/// <see cref="LeaseCheckInterval"/>, no refresh throttle, short Redis leases) and gives worker processes the environment
/// that selects the same backend. Nothing here touches the process-wide runtime: a test binds an engine to its own flow
/// (<see cref="BackendTest"/>, <see cref="BindNew"/>), so suites on different backends run side by side in one process.
/// </summary>
public abstract class BackendFixture : IDisposable
{
    /// <summary>How often a holder checks its lease: a lock cleared elsewhere is noticed within this.</summary>
    public static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The test process's Redis lease: short, so that tests which outlast it stay short, yet long enough that a renewal
    /// delayed by a loaded 2-core machine (worker processes starting beside the suite) does not lose it: at 2 s, a first
    /// lock and commit in a cold process once saw its deadline pass. The test worker's is 2 s, so that a killed worker's
    /// lease runs out quickly.
    /// </summary>
    public static readonly TimeSpan RedisLeaseDuration = TimeSpan.FromSeconds(4);

    private readonly Lazy<NoDbEngine> _engine;
    private bool _disposed;

    protected BackendFixture() => _engine = new Lazy<NoDbEngine>(() => CreateEngine(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary><c>file</c>, <c>redis</c> or <c>redis-cluster</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The Redis configuration string (NODB_REDIS for the workers), or <see langword="null"/> for the file locks.</summary>
    public abstract string? RedisConfiguration { get; }

    public bool IsRedis => RedisConfiguration is not null;

    /// <summary>
    /// One lease length: a Redis lease (it runs out this long after its last renewal); for the embedded backend, whose lease
    /// is the OS lock and never runs out under a live holder, the period of its background check. An operation that
    /// outlasts a few of these under one lock shows that the lease is kept.
    /// </summary>
    public TimeSpan LeaseLength => IsRedis ? RedisLeaseDuration : LeaseCheckInterval;

    /// <summary>The engine the tests of this backend share (as the process-wide runtime would be shared), made on first use.</summary>
    internal NoDbEngine Engine => _engine.Value;

    /// <summary>Selects this backend and the test options on <paramref name="options"/>.</summary>
    public void Apply(NoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.DefaultLockTimeout = TimeSpan.FromSeconds(30);
        options.LeaseCheckInterval = LeaseCheckInterval;
        options.RefreshInterval = TimeSpan.Zero;
        if (RedisConfiguration is { } redis)
        {
            options.UseRedis(redis);
            options.LeaseDuration = RedisLeaseDuration;
        }
        else
        {
            options.UseFileLocks();
        }
    }

    /// <summary>A new engine of this backend with the test options, then <paramref name="extra"/>; the caller disposes it.</summary>
    internal NoDbEngine CreateEngine(Action<NoDbOptions>? extra = null)
    {
        var options = new NoDbOptions();
        Apply(options);
        extra?.Invoke(options);
        return new NoDbEngine(options);
    }

    /// <summary>Until disposed, the calling flow (and the tasks it starts) uses this backend's shared engine.</summary>
    public IDisposable Bind() => NoDbRuntime.Bind(Engine);

    /// <summary>
    /// Until disposed, the calling flow uses a new engine of this backend with <paramref name="extra"/> on top of the test
    /// options (as reconfiguring the runtime would give it: nothing cached yet); disposing also disposes that engine.
    /// </summary>
    public IDisposable BindNew(Action<NoDbOptions>? extra = null)
    {
        NoDbEngine engine = CreateEngine(extra);
        return new NewEngineBinding(engine, NoDbRuntime.Bind(engine));
    }

    /// <summary>Sets NODB_REDIS in a child's environment for Redis, and removes it for the file locks.</summary>
    public void ApplyTo(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (RedisConfiguration is { } redis)
        {
            environment[NoDbOptions.RedisEnvironmentVariable] = redis;
        }
        else
        {
            environment.Remove(NoDbOptions.RedisEnvironmentVariable);
        }
    }

    /// <summary>Starts a NoDb.TestWorker process on this backend.</summary>
    public WorkerProcess StartWorker(params string[] args) => WorkerProcess.Start(ApplyTo, args);

    /// <summary>Starts a NoDb.TestWorker process on this backend with the file-creation mask <paramref name="umask"/> (octal).</summary>
    public WorkerProcess StartWorkerWithUmask(string umask, params string[] args) => WorkerProcess.StartWithUmask(ApplyTo, umask, args);

    /// <summary>
    /// Completes once the document cache holds <paramref name="fileName"/> of <paramref name="workingDirectory"/> (its commit
    /// writes it there after the commit returns); at once for a backend without a cache.
    /// </summary>
    public virtual Task DocumentCachedAsync(string workingDirectory, string fileName = "climate.nodb") => Task.CompletedTask;

    public override string ToString() => Name;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing && _engine.IsValueCreated)
        {
            _engine.Value.Dispose();
        }
    }

    private sealed class NewEngineBinding(NoDbEngine engine, IDisposable binding) : IDisposable
    {
        public void Dispose()
        {
            binding.Dispose();
            engine.Dispose();
        }
    }
}
