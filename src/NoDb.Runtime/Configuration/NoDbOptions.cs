namespace NoDb;

/// <summary>How NoDb locks, caches and writes documents. Set with <see cref="NoDbRuntime.Configure"/> or <c>services.AddNoDb(...)</c>.</summary>
public sealed class NoDbOptions
{
    /// <summary>The environment variable whose value, a StackExchange.Redis configuration string, selects the Redis backend.</summary>
    public const string RedisEnvironmentVariable = "NODB_REDIS";

    /// <summary>Creates the defaults: the embedded file-lock backend unless <c>NODB_REDIS</c> is set.</summary>
    public NoDbOptions()
    {
        RedisConfiguration = Environment.GetEnvironmentVariable(RedisEnvironmentVariable) is { Length: > 0 } redis ? redis : null;
    }

    /// <summary>The Redis configuration string when the Redis backend is selected; <see langword="null"/> for the embedded backend.</summary>
    public string? RedisConfiguration { get; private set; }

    /// <summary>How long <c>LockAsync</c>, <c>Lock</c> and <c>AcquireLockAsync</c> wait when no timeout is passed. Default: 60 seconds.</summary>
    public TimeSpan DefaultLockTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often a holder confirms in the background that its lock is still its own; a lock cleared from another process
    /// is noticed (and <c>LockLost</c> fired) within this interval. Default: 1 second.
    /// </summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a Redis lease lasts without renewal; a holder renews it every third of this while its scope is open, and
    /// a holder that dies or is cut off loses it after this long. Default: 30 seconds. (The embedded backend's OS locks
    /// need no lease: the kernel releases them when the holder dies.)
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long Redis keeps a committed document in its cache (refreshed by every commit). Default: 72 hours, as wepppy.</summary>
    public TimeSpan CacheTimeToLive { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// How long <c>GetInstance</c> trusts its cached instance before it looks at the disk again (one <c>stat</c>) for a
    /// change made by another process, or a <c>READONLY</c> marker. Acquiring a lock always reads the disk. Default: 100 ms.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The System.Text.Json options for persisted members of types NoDb has no built-in form for (anything but strings,
    /// numbers, booleans, enums, dates, times, GUIDs, their nullables, arrays, lists and string-keyed dictionaries). For
    /// trimming and native AOT, put a <c>JsonSerializerContext</c> that knows those types first in
    /// <c>TypeInfoResolverChain</c>. Default: the web-independent defaults, with reflection where the app allows it.
    /// </summary>
    public System.Text.Json.JsonSerializerOptions JsonSerializerOptions { get; set; } = new(System.Text.Json.JsonSerializerDefaults.General);

    /// <summary>
    /// The clock of every timer, lease clock and timeout: lock-wait timeouts, the refresh epoch, the background lease check
    /// (embedded), renewals and the lease deadline (Redis), the durations NoDb records, and holder timestamps. Default:
    /// <see cref="TimeProvider.System"/>; tests pass a fake one and advance it instead of sleeping. Two clocks stay real
    /// because other processes read them: the floor of fencing numbers and the file system's timestamps. A Redis lease
    /// also runs out on the server in real time, so with a clock that stands still, give it a long
    /// <see cref="LeaseDuration"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where NoDb writes its log lines (category <c>NoDb</c>: lock timeouts, leases lost, writes refused, corrupt documents).
    /// Default: <see langword="null"/>, no logging; in a host, <c>AddNoDb</c> uses the host's logger factory.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// A lock wait longer than this is logged (event <c>SlowLockWait</c>, a warning) when it succeeds; a wait that gives
    /// up is logged as a timeout whatever its length. Zero logs every wait; <see cref="Timeout.InfiniteTimeSpan"/> none.
    /// Default: 1 second.
    /// </summary>
    public TimeSpan SlowLockWaitThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether documents are written indented, for people who read them. Default: <see langword="true"/>.</summary>
    public bool WriteIndented { get; set; } = true;

    /// <summary>
    /// Maps a run id to its working directory, for <see cref="NoDbRuntime.ClearLocksAsync"/>. Without it, only the
    /// working directories this process has opened are found by run id.
    /// </summary>
    public Func<string, string?>? RunDirectoryResolver { get; set; }

    /// <summary>
    /// Selects the Redis backend, for runs shared between processes on several machines: locks are Redis leases, renewed
    /// while held and fenced; waiters wake on a published release. The documents (and their <c>.nodb/</c> fence files) stay
    /// on the shared disk.
    /// </summary>
    /// <param name="configuration">
    /// A StackExchange.Redis configuration string, such as <c>localhost:6379,password=…</c> (with <c>serviceName=…</c> and
    /// the Sentinels' endpoints for Redis Sentinel), or a <c>redis://user:password@host:6379/0</c> URI. The password never
    /// appears in NoDb's messages.
    /// </param>
    /// <returns>These options, for chaining.</returns>
    public NoDbOptions UseRedis(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        RedisConfiguration = configuration;
        return this;
    }

    /// <summary>Selects the embedded backend: OS file locks on the local disk, no server. This is the default.</summary>
    /// <returns>These options, for chaining.</returns>
    public NoDbOptions UseFileLocks()
    {
        RedisConfiguration = null;
        return this;
    }

    internal void Validate()
    {
        if (DefaultLockTimeout < TimeSpan.Zero && DefaultLockTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultLockTimeout), DefaultLockTimeout, "Use zero or more, or Timeout.InfiniteTimeSpan.");
        }

        if (LeaseCheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseCheckInterval), LeaseCheckInterval, "The lease check interval must be positive.");
        }

        ArgumentNullException.ThrowIfNull(JsonSerializerOptions, nameof(JsonSerializerOptions));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));

        if (LeaseDuration < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "A lease must last at least 100 ms.");
        }

        if (CacheTimeToLive < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(CacheTimeToLive), CacheTimeToLive, "The cache time to live must be at least one second.");
        }

        if (SlowLockWaitThreshold < TimeSpan.Zero && SlowLockWaitThreshold != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(SlowLockWaitThreshold), SlowLockWaitThreshold, "Use zero or more, or Timeout.InfiniteTimeSpan.");
        }

        if (RefreshInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshInterval), RefreshInterval, "The refresh interval must be zero or more.");
        }
    }
}
