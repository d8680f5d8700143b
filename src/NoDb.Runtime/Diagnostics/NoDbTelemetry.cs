using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using NoDb.Engine;
using NoDb.Locking;
using NoDb.Locking.Redis;

namespace NoDb.Diagnostics;

/// <summary>
/// NoDb's one <see cref="System.Diagnostics.Metrics.Meter"/> and one <see cref="ActivitySource"/>, both named <c>NoDb</c>,
/// with the instruments of DESIGN.md ("Observability"). Tags are only the document's file name, the backend and the one
/// named per instrument: never a run id or a path, so that the series stay few.
/// </summary>
internal static class NoDbTelemetry
{
    public const string Name = "NoDb";

    public const string DocumentTag = "nodb.document";
    public const string BackendTag = "nodb.backend";
    public const string OutcomeTag = "nodb.outcome";
    public const string ReasonTag = "nodb.reason";
    public const string ResultTag = "nodb.result";
    public const string FenceTag = "nodb.fence";

    private static readonly string? Version = typeof(NoDbTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>
    /// The bucket boundaries NoDb's duration histograms advise, in seconds: from 50 µs (an uncontended local lock) to 60 s
    /// (the default lock timeout). OpenTelemetry's defaults (0, 5, 10 … 10,000) suit milliseconds and would put every wait
    /// of a healthy app in the first bucket. An application's own view still wins.
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static readonly Histogram<double> LockWait = Seconds("nodb.lock.wait.duration", "From asking for a lock to getting it or giving up.");

    public static readonly Histogram<double> LockHold = Seconds("nodb.lock.hold.duration", "From acquiring a lock to releasing it.");

    public static readonly UpDownCounter<long> LocksHeld = Meter.CreateUpDownCounter<long>(
        "nodb.locks.held", "{lock}", "Lock scopes open now.");

    public static readonly Counter<long> LockLost = Meter.CreateCounter<long>(
        "nodb.lock.lost", "{lease}", "Leases lost while held.");

    public static readonly Histogram<double> CommitDuration = Seconds("nodb.commit.duration", "Persisting a scope.");

    /// <summary>Observable, so that counting a cached lookup costs a per-thread increment, and only while listened to (<see cref="LookupCounts"/>).</summary>
    public static readonly ObservableCounter<long> InstanceLookups = Meter.CreateObservableCounter(
        "nodb.instance.lookups", LookupCounts.Observe, "{lookup}", "GetInstance calls.");

    public static readonly Counter<long> CacheReads = Meter.CreateCounter<long>(
        "nodb.cache.reads", "{read}", "Reads of the Redis document cache.");

    private static Histogram<double> Seconds(string name, string description) =>
#if NET9_0_OR_GREATER
        Meter.CreateHistogram<double>(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
#else
        Meter.CreateHistogram<double>(name, "s", description);
#endif

    public static string BackendOf(NoDbEngine engine) => engine.Locks is RedisLockBackend ? "redis" : "file";

    private static string BackendOf(ILockLease lease) => lease is RedisLease ? "redis" : "file";

    // Lock waits.

    public static Activity? StartLock(NoDbEngine engine, LockTarget target)
    {
        Activity? activity = Source.StartActivity("nodb.lock");
        activity?.SetTag(DocumentTag, target.FileName);
        activity?.SetTag(BackendTag, BackendOf(engine));
        return activity;
    }

    /// <summary>The lock was taken: the wait ends, the hold begins (<paramref name="activity"/> goes on with the scope).</summary>
    public static void LockAcquired(NoDbEngine engine, LockTarget target, long started, Activity? activity, long fence)
    {
        activity?.SetTag(FenceTag, fence);
        TimeSpan threshold = engine.Options.SlowLockWaitThreshold;
        if (LockWait.Enabled || threshold != Timeout.InfiniteTimeSpan)
        {
            TimeSpan waited = engine.Time.GetElapsedTime(started);
            if (threshold != Timeout.InfiniteTimeSpan && waited > threshold)
            {
                NoDbLog.SlowLockWait(engine.Logger, target.DocumentPath, waited, threshold);
            }

            RecordWait(engine, target, waited, "acquired");
        }
    }

    /// <summary>A try found the lock taken.</summary>
    public static void LockBusy(NoDbEngine engine, LockTarget target, long started, Activity? activity)
    {
        activity?.SetTag(OutcomeTag, "busy");
        activity?.Dispose();
        RecordWait(engine, target, started, "busy");
    }

    /// <summary>The wait failed with <paramref name="error"/>: a timeout, a zero timeout that found the lock taken (busy), a cancellation, or a refusal (read-only, missing, corrupt).</summary>
    public static void LockFailed(NoDbEngine engine, LockTarget target, long started, Activity? activity, Exception error)
    {
        string outcome = error switch
        {
            NoDbAlreadyLockedException => "busy", // a zero timeout is a try
            NoDbLockTimeoutException => "timeout",
            OperationCanceledException => "cancelled",
            _ => "refused",
        };
        switch (error)
        {
            case NoDbLockTimeoutException timeout when timeout is not NoDbAlreadyLockedException:
                NoDbLog.LockTimeout(engine.Logger, target.DocumentPath, timeout.Timeout);
                break;
            case NoDbCorruptFileException corrupt:
                NoDbLog.CorruptDocument(engine.Logger, target.DocumentPath, corrupt.Message, corrupt);
                break;
        }

        activity?.SetTag(OutcomeTag, outcome);
        activity?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        activity?.Dispose();
        RecordWait(engine, target, started, outcome);
    }

    private static void RecordWait(NoDbEngine engine, LockTarget target, long started, string outcome)
    {
        if (LockWait.Enabled)
        {
            RecordWait(engine, target, engine.Time.GetElapsedTime(started), outcome);
        }
    }

    private static void RecordWait(NoDbEngine engine, LockTarget target, TimeSpan waited, string outcome)
    {
        if (LockWait.Enabled)
        {
            LockWait.Record(waited.TotalSeconds, new(DocumentTag, target.FileName), new(BackendTag, BackendOf(engine)), new(OutcomeTag, outcome));
        }
    }

    // Holds.

    public static void ScopeOpened(NoDbEngine engine, LockTarget target) =>
        LocksHeld.Add(1, new(DocumentTag, target.FileName), new(BackendTag, BackendOf(engine)));

    public static void ScopeClosed(NoDbEngine engine, LockTarget target, long acquired, Activity? activity)
    {
        string backend = BackendOf(engine);
        LocksHeld.Add(-1, new(DocumentTag, target.FileName), new(BackendTag, backend));
        if (LockHold.Enabled)
        {
            LockHold.Record(engine.Time.GetElapsedTime(acquired).TotalSeconds, new(DocumentTag, target.FileName), new(BackendTag, backend));
        }

        activity?.Dispose();
    }

    /// <summary>A lease was lost while held: <paramref name="loss"/> is the <c>nodb.reason</c> tag.</summary>
    public static void Lost(ILockLease lease, LeaseLoss loss) =>
        LockLost.Add(1, new(DocumentTag, lease.Target.FileName), new(BackendTag, BackendOf(lease)), new(ReasonTag, loss.Tag()));

    // Commits.

    public static Activity? StartCommit(NoDbEngine engine, LockTarget target, long fence)
    {
        Activity? activity = Source.StartActivity("nodb.commit");
        activity?.SetTag(DocumentTag, target.FileName);
        activity?.SetTag(BackendTag, BackendOf(engine));
        activity?.SetTag(FenceTag, fence);
        return activity;
    }

    /// <summary>A commit ended: <paramref name="error"/> is <see langword="null"/> when it was written.</summary>
    public static void CommitEnded(NoDbEngine engine, LockTarget target, long started, Activity? activity, Exception? error)
    {
        string outcome = error switch
        {
            null => "written",
            NoDbStaleWriteException or NoDbLockLostException => "refused",
            _ => "failed",
        };
        activity?.SetTag(OutcomeTag, outcome);
        if (outcome == "refused")
        {
            NoDbLog.WriteRefused(engine.Logger, target.DocumentPath, error!.Message);
        }

        if (error is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        }

        activity?.Dispose();
        RecordCommit(engine, target, started, outcome);
    }

    /// <summary>A scope ended with nothing changed: nothing was written.</summary>
    public static void CommitUnchanged(NoDbEngine engine, LockTarget target, long started) => RecordCommit(engine, target, started, "unchanged");

    private static void RecordCommit(NoDbEngine engine, LockTarget target, long started, string outcome)
    {
        if (CommitDuration.Enabled)
        {
            CommitDuration.Record(
                engine.Time.GetElapsedTime(started).TotalSeconds,
                new(DocumentTag, target.FileName), new(BackendTag, BackendOf(engine)), new(OutcomeTag, outcome));
        }
    }

    // Lookups and cache reads.

    /// <summary>Counts a lookup that looked at the disk: <paramref name="found"/> if it returned an instance, else <c>missing</c>.</summary>
    public static T? Lookup<T>(int slot, T? instance, int found)
        where T : class
    {
        if (LookupCounts.Listening)
        {
            LookupCounts.Count(slot, instance is null ? LookupCounts.Missing : found);
        }

        return instance;
    }

    /// <summary>A read of the Redis document cache: <c>hit</c>, <c>miss</c>, <c>stale</c> or <c>corrupt</c>.</summary>
    public static void CacheRead(LockTarget target, string result)
    {
        if (CacheReads.Enabled)
        {
            CacheReads.Add(1, new(DocumentTag, target.FileName), new(BackendTag, "redis"), new(ResultTag, result));
        }
    }
}
