using NoDb.Locking.FileLocks;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>
/// A lock held as a Redis lease. It is renewed in the background while held; when renewal finds it gone (expired,
/// cleared, forced), or when the lease's own deadline passes with no renewal confirmed, <see cref="LeaseBase.Lost"/> fires.
/// A commit is confirmed with Redis and then fenced on the disk, so a holder whose lease lapsed can never overwrite a
/// newer holder's document.
/// </summary>
/// <remarks>
/// The deadline is kept locally: the send time of the last extension Redis confirmed (or of the acquisition), plus the
/// lease, minus a tenth of it as a margin (<see cref="TrustFor"/>). Redis started the lease no earlier than that send, so by the local
/// deadline this holder stops believing it holds the lock before Redis can give it to anyone else, however long the
/// client library takes to time its commands out.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The timers are disposed when the lease is lost or released.")]
internal sealed class RedisLease : LeaseBase
{
    private readonly RedisLockBackend _backend;
    private readonly RedisKeys _keys;
    private readonly string _value;
    private readonly ITimer _renewal;
    private readonly ITimer _deadline;
    private readonly TimeProvider _time;
    private readonly TimeSpan _trustFor;
    private long _confirmedSentAt;

    private static readonly TimeSpan FirstCommitRetryPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestCommitRetryPause = TimeSpan.FromMilliseconds(500);

    // firstRenewal: when to renew first, if sooner than the usual interval: a release handed this lease over for a short
    // time only (RedisLockBackend.HandOffLease).
    public RedisLease(RedisLockBackend backend, LockTarget target, RedisKeys keys, string value, long fencingNumber, long sentAt, TimeSpan? firstRenewal = null)
        : base(target, fencingNumber)
    {
        _backend = backend;
        _keys = keys;
        _value = value;
        _confirmedSentAt = sentAt;
        _trustFor = TrustFor(backend.LeaseDuration);
        _time = backend.Time;
        _deadline = _time.CreateTimer(static state => ((RedisLease)state!).CheckDeadline(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _renewal = _time.CreateTimer(static state => ((RedisLease)state!).Renew(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Started once both fields are set: a deadline already due (a lease handed over late) stops both timers.
        _renewal.Change(firstRenewal is { } first && first < backend.RenewEvery ? first : backend.RenewEvery, backend.RenewEvery);
        ScheduleDeadline(sentAt);
    }

    /// <summary>
    /// How long after sending a confirmed extension the lease is trusted: nine tenths of it. The tenth left covers the
    /// drift between this machine's clock and Redis's, and this process's own delays (a timer that fires late under load,
    /// a GC pause), so that the loss is noticed before Redis can hand the lock on. Renewals come every third of a lease.
    /// </summary>
    internal static TimeSpan TrustFor(TimeSpan leaseDuration) => leaseDuration - (leaseDuration / 10);

    protected override Microsoft.Extensions.Logging.ILogger Logger => _backend.Logger;

    private RedisValue[] ExtendArguments => [_value, (long)_backend.LeaseDuration.TotalMilliseconds];

    public override async ValueTask CommitFencedAsync(NoDb.Storage.RunDirectory run, Action write, FenceWait wait)
    {
        if (!await ConfirmForCommitAsync(wait).ConfigureAwait(false))
        {
            throw LostNow(LeaseLoss.Expired, "its Redis lease expired or was taken away");
        }

        // The outcome is decided here, under the fence: once the write ran, a renewal that fails meanwhile does not undo it.
        using NoDb.Storage.RunStateFolder state = run.OpenStateFolder(create: false)
            ?? throw LostNow(LeaseLoss.Fenced, "its state folder was removed, and its fence with it");
        // The last look at the loss is under the fence lock, just before the write: a deadline that fired while this commit
        // waited for that lock refuses it.
        if (!await FenceFile.RunIfCurrentAsync(state, Target.FileName, FencingNumber, wait, () =>
            {
                ThrowIfLost();
                write();
            }).ConfigureAwait(false))
        {
            throw LostNow(LeaseLoss.Fenced, "a newer holder or a clear has taken the lock since");
        }
    }

    protected override void OnLost()
    {
        StopTimers();

        // Redis may still hold the key (an extension confirmed too late to count): give it back so that the next holder
        // need not wait for it to run out. Compared whole, so it never removes a newer holder's lease.
        PendingReleases.Track(SendReleaseAsync());
    }

    /// <summary>Sends the release without waiting for the reply; process exit waits a bounded time for it.</summary>
    protected override void OnReleased()
    {
        StopTimers();
        PendingReleases.Track(SendReleaseAsync());
        _backend.OnReleased(this);
    }

    /// <summary>Sends the release and waits for the reply, so that the lock is free in Redis when the dispose returns.</summary>
    protected override async ValueTask OnReleasedAsync()
    {
        StopTimers();
        try
        {
            await SendReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            _backend.OnReleased(this);
        }
    }

    private async Task SendReleaseAsync()
    {
        try
        {
            // The release hands the lock straight to the first waiter queued in Redis, if there is one.
            await _backend.Database.ScriptEvaluateAsync(RedisScripts.Release, _keys.LockScriptKeys, RedisLockBackend.ReleaseArguments(_value, FencingNumber)).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailures.Is(e) || e is ObjectDisposedException)
        {
            // Redis unreachable (or the connection closed): the lease runs out by itself, and fencing protects the
            // document meanwhile.
            Diagnostics.NoDbLog.ReleaseUnconfirmed(Logger, Target.DocumentPath, e);
        }
    }

    private void StopTimers()
    {
        _renewal.Dispose();
        _deadline.Dispose();
    }

    /// <summary>
    /// Extends the lease once more before a commit, so that the write is made under a lease Redis has just confirmed; false
    /// when Redis no longer has it. Redis not answering (a failover, a restart, a dropped connection: <see cref="Transient"/>)
    /// is waited out while the lease is still trusted, each try bounded by the time left: the commit goes ahead as soon as
    /// Redis confirms. Once the deadline passes unconfirmed, or Redis refuses for good (a permission, a broken script), the
    /// lease is lost, <see cref="LeaseBase.Lost"/> fires and nothing is written. A synchronous commit blocks its thread for
    /// as long, each try bounded by StackExchange.Redis's <c>syncTimeout</c> instead.
    /// </summary>
    private async ValueTask<bool> ConfirmForCommitAsync(FenceWait wait)
    {
        TimeSpan pause = FirstCommitRetryPause;
        bool logged = false;
        while (true)
        {
            ThrowIfLost();
            TimeSpan left = TrustLeft();
            long sentAt = _time.GetTimestamp();
            try
            {
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException("the lease's deadline passed before Redis answered");
                }

                bool extended = wait.Synchronous
                    ? (long)_backend.Database.ScriptEvaluate(RedisScripts.Extend, [_keys.Lock], ExtendArguments) == 1
                    : (long)await WithinAsync(_backend.Database.ScriptEvaluateAsync(RedisScripts.Extend, [_keys.Lock], ExtendArguments), left, wait.CancellationToken).ConfigureAwait(false) == 1;
                Confirmed(extended, sentAt);

                // A confirmation that came after the deadline fired is too late: the holder was already told it lost the lock.
                ThrowIfLost();
                return extended;
            }
            catch (Exception e) when (RedisFailures.Is(e) || e is TimeoutException)
            {
                ThrowIfLost();
                left = TrustLeft();
                if (left <= TimeSpan.Zero || !Transient(e))
                {
                    throw LostNow(LeaseLoss.Unreachable, $"Redis did not confirm it within the lease ({e.Message})");
                }

                if (!logged)
                {
                    Diagnostics.NoDbLog.CommitUnconfirmed(Logger, Target.DocumentPath, left, e);
                    logged = true;
                }

                pause = pause < left ? pause : left;
            }

            pause = await wait.PauseAsync(pause, LongestCommitRetryPause).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether Redis may answer if asked again: no connection, no answer in time, or a server that is failing over, starting
    /// or busy (a replica not yet promoted, a dataset still loading, another script still running). Anything else it
    /// refused is refused for good.
    /// </summary>
    private static bool Transient(Exception e) => e switch
    {
        RedisServerException server => server.Message.StartsWith("READONLY", StringComparison.Ordinal) ||
                                       server.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
                                       server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) ||
                                       server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) ||
                                       server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) ||
                                       server.Message.StartsWith("BUSY", StringComparison.Ordinal),
        _ => true, // connection failures and timeouts
    };

    /// <summary>How long the lease is still trusted: until the deadline counted from the last confirmed extension.</summary>
    private TimeSpan TrustLeft() => _trustFor - _time.GetElapsedTime(Volatile.Read(ref _confirmedSentAt));

    /// <summary>
    /// Waits for <paramref name="command"/> at most <paramref name="limit"/> on the engine's clock. A command given up on
    /// still completes later; its failure is observed here, not left to the finalizer.
    /// </summary>
    private async Task<RedisResult> WithinAsync(Task<RedisResult> command, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            return await command.WaitAsync(limit, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!command.IsCompleted && (e is TimeoutException or OperationCanceledException))
        {
            _ = command.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    private void Renew() => _ = RenewAsync();

    private async Task RenewAsync()
    {
        long sentAt = _time.GetTimestamp();
        try
        {
            bool extended = (long)await _backend.Database.ScriptEvaluateAsync(RedisScripts.Extend, [_keys.Lock], ExtendArguments).ConfigureAwait(false) == 1;
            Confirmed(extended, sentAt);
            if (!extended)
            {
                MarkLost(LeaseLoss.Expired, "its Redis lease expired or was taken away");
            }
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            // Not confirmed: the deadline, counted from the last confirmed extension, decides when the lease is lost.
            Diagnostics.NoDbLog.RenewalUnconfirmed(Logger, Target.DocumentPath, e);
        }
    }

    /// <summary>An extension sent at <paramref name="sentAt"/> was confirmed: the deadline moves to count from that send.</summary>
    private void Confirmed(bool extended, long sentAt)
    {
        if (!extended)
        {
            return;
        }

        long previous = Volatile.Read(ref _confirmedSentAt);
        while (sentAt > previous)
        {
            long seen = Interlocked.CompareExchange(ref _confirmedSentAt, sentAt, previous);
            if (seen == previous)
            {
                ScheduleDeadline(sentAt);
                return;
            }

            previous = seen;
        }
    }

    private void ScheduleDeadline(long confirmedSentAt)
    {
        TimeSpan due = _trustFor - _time.GetElapsedTime(confirmedSentAt);
        try
        {
            _deadline.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Lost or released meanwhile.
        }
    }

    private void CheckDeadline()
    {
        long confirmedSentAt = Volatile.Read(ref _confirmedSentAt);
        TimeSpan since = _time.GetElapsedTime(confirmedSentAt);
        if (since < _trustFor)
        {
            ScheduleDeadline(confirmedSentAt); // a confirmation arrived while this check was due
            return;
        }

        // Decided again under the lease's lock: a confirmation that moved the deadline since the read above keeps the lease.
        MarkLost(LeaseLoss.Unreachable, $"no renewal was confirmed by Redis within the lease ({_backend.LeaseDuration.TotalSeconds:0.###} s since the last " +
                 "confirmed one was sent): Redis is unreachable or too slow, and may have given the lock to another holder by now",
                 stillDue: () => TrustLeft() <= TimeSpan.Zero);
    }
}
