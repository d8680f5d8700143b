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

    public static readonly Histogram<double> LockWait = Meter.CreateHistogram<double>(
        "nodb.lock.wait.duration", "s", "From asking for a lock to getting it or giving up.");

    public static readonly Histogram<double> LockHold = Meter.CreateHistogram<double>(
        "nodb.lock.hold.duration", "s", "From acquiring a lock to releasing it.");

    public static readonly UpDownCounter<long> LocksHeld = Meter.CreateUpDownCounter<long>(
        "nodb.locks.held", "{lock}", "Lock scopes open now.");

    public static readonly Counter<long> LockLost = Meter.CreateCounter<long>(
        "nodb.lock.lost", "{lease}", "Leases lost while held.");

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "nodb.commit.duration", "s", "Persisting a scope.");

    /// <summary>Observable, so that a cached lookup costs the same with a listener as without (<see cref="LookupCounts"/>).</summary>
    public static readonly ObservableCounter<long> InstanceLookups = Meter.CreateObservableCounter(
        "nodb.instance.lookups", LookupCounts.Observe, "{lookup}", "GetInstance calls.");

    public static readonly Counter<long> CacheReads = Meter.CreateCounter<long>(
        "nodb.cache.reads", "{read}", "Reads of the Redis document cache.");

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
        LookupCounts.Count(slot, instance is null ? LookupCounts.Missing : found);
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
