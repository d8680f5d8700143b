using System.Collections.Concurrent;
using System.Globalization;
using NoDb.Diagnostics;
using NoDb.Locking.FileLocks;
using NoDb.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>
/// The backend for deployments that span machines: locks are Redis leases (one Lua script takes the lease and issues the
/// next fencing number, seeded from the number already on disk so that a Redis restart cannot make it go backwards),
/// waiters sleep until a release is published, and the documents' fence files on the shared disk refuse stale writers.
/// </summary>
internal sealed class RedisLockBackend : ILockBackend, IDocumentCache, IDisposable
{
    private static readonly TimeSpan MissedMessagePoll = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, RedisLease> _active = new(StringComparer.Ordinal);
    private readonly ReleaseSignals _signals;
    private readonly string _owner = $"{Environment.MachineName}|{Environment.ProcessId}";
    private readonly string _origin = Guid.NewGuid().ToString("N");

    private static readonly RedisChannel ChangedChannel = RedisChannel.Literal(RedisKeys.ChangedChannel);
    private readonly Action<RedisChannel, RedisValue> OnChanged;
    private readonly TimeSpan _cacheTimeToLive;
    private readonly TimeSpan _fenceWait;

    /// <param name="redis">The connection.</param>
    /// <param name="leaseDuration">How long a lease lasts unrenewed.</param>
    /// <param name="cacheTimeToLive">How long a committed document stays cached.</param>
    /// <param name="checkInterval">How soon a holder must notice a cleared lock (renewals are at least this frequent).</param>
    /// <param name="onChanged">Told the identity of every document another process committed (the engine marks its instance stale).</param>
    /// <param name="fenceWait">How long a force or clear may wait for a document's fence lock.</param>
    /// <param name="time">The clock of timeouts, holder records, and the leases' renewals and deadlines.</param>
    /// <param name="logger">Where failures that do not reach a caller are logged (category <c>NoDb</c>).</param>
    public RedisLockBackend(
        IConnectionMultiplexer redis, TimeSpan leaseDuration, TimeSpan cacheTimeToLive, TimeSpan? checkInterval = null,
        Action<string>? onChanged = null, TimeSpan? fenceWait = null, TimeProvider? time = null, ILogger? logger = null)
    {
        Redis = redis;
        Time = time ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
        LeaseDuration = leaseDuration;
        _cacheTimeToLive = cacheTimeToLive;
        _fenceWait = fenceWait ?? TimeSpan.FromSeconds(60);
        OnChanged = (_, notice) =>
        {
            // A commit's notice names the document and the backend that made it; this backend's own commits left its
            // instances up to date, so only the others' mark them stale.
            if (ChangeNotice.Parse(notice.ToString()) is { } parsed && !string.Equals(parsed.Origin, _origin, StringComparison.Ordinal))
            {
                onChanged?.Invoke(parsed.Document);
            }
        };

        // Renew often enough that a lock cleared elsewhere is noticed within the check interval, as the embedded backend does.
        TimeSpan third = leaseDuration / 3;
        RenewEvery = checkInterval is { } check && check < third ? check : third;
        _signals = new ReleaseSignals(redis, Logger);

        // Commits elsewhere mark this process's cached instance stale; it is refreshed in place on next use. Not awaited:
        // the subscription is kept and restored when Redis is (back) up.
        _ = redis.GetSubscriber().SubscribeAsync(ChangedChannel, OnChanged).ContinueWith(
            t => NoDbLog.NoticeSubscriptionFailed(
                Logger, RedisKeys.ChangedChannel, "cached instances notice commits of other processes only when they next look at the disk",
                t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public TimeSpan RenewEvery { get; }

    /// <summary>The clock of timeouts, holder records, renewals and lease deadlines.</summary>
    public TimeProvider Time { get; }

    /// <summary>The <c>NoDb</c> logger of the engine.</summary>
    public ILogger Logger { get; }

    /// <summary>Stops listening (the runtime was reconfigured); leases already taken keep working until released.</summary>
    public void Dispose()
    {
        _signals.Dispose();
        try
        {
            Redis.GetSubscriber().Unsubscribe(ChangedChannel, OnChanged, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
        }
    }

    public byte[]? TryRead(LockTarget target)
    {
        try
        {
            using RunDirectory? run = RunDirectory.TryOpen(target.WorkingDirectory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            if (run is null || state is null || RunIdentity.TryOf(run, state) is not { } identity)
            {
                return null; // never locked here: nothing can have been cached
            }

            var keys = new RedisKeys(identity, target.FileName);
            RedisValue[] entry = Database.HashGet(keys.Document, ["fence", "body", "stamp", "mac"]);
            if (entry[0].IsNull || entry[1].IsNull || entry[2].IsNull || entry[3].IsNull || !entry[0].TryParse(out long fence))
            {
                NoDbTelemetry.CacheRead(target, "miss");
                return null;
            }

            byte[] body = (byte[])entry[1]!;

            // Served only if this run's key signed it (not another run's entry, nor one put there by hand), it is the very
            // version on disk now (no hand edit since), and no acquisition has reached the disk since it was cached.
            if (!CacheSignature.Verify(identity, target.FileName, fence, entry[2].ToString(), body, (byte[])entry[3]!))
            {
                Database.KeyDelete(keys.Document, CommandFlags.FireAndForget); // not this run's, or altered: never serve it
                NoDbTelemetry.CacheRead(target, "corrupt");
                return null;
            }

            if (run.StampOf(target.FileName)?.ToString() != entry[2].ToString() ||
                fence < FenceFile.Peek(state, target.FileName))
            {
                NoDbTelemetry.CacheRead(target, "stale");
                return null;
            }

            NoDbTelemetry.CacheRead(target, "hit");
            return body;
        }
        catch (Exception e) when (RedisFailures.Is(e) || e is IOException or UnauthorizedAccessException)
        {
            return null; // the disk serves
        }
    }

    public void Invalidate(LockTarget target)
    {
        try
        {
            using RunDirectory? run = RunDirectory.TryOpen(target.WorkingDirectory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            if (run is not null && state is not null && RunIdentity.TryOf(run, state) is { } identity)
            {
                Database.KeyDelete(new RedisKeys(identity, target.FileName).Document, CommandFlags.FireAndForget);
            }
        }
        catch (Exception e) when (RedisFailures.Is(e) || e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public void Committed(LockTarget target, RunDirectory run, long fencingNumber, byte[] document, FileStamp? stamp)
    {
        try
        {
            using RunStateFolder? state = run.OpenStateFolder(create: false);
            if (state is null || RunIdentity.TryOf(run, state) is not { } identity)
            {
                return;
            }

            var keys = new RedisKeys(identity, target.FileName);
            string stampText = stamp?.ToString() ?? string.Empty;
            byte[] mac = CacheSignature.Sign(identity, target.FileName, fencingNumber, stampText, document);
            Database.ScriptEvaluate(
                RedisScripts.CacheCommitted,
                [keys.Document],
                [fencingNumber, document, (long)_cacheTimeToLive.TotalSeconds, RedisKeys.ChangedChannel, ChangeNotice.Format(identity.Id + "/" + target.FileName, _origin), stampText, mac],
                CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e) || e is IOException or UnauthorizedAccessException)
        {
            // The document is committed on disk; the cache and the notice are only speed.
        }
    }

    public IConnectionMultiplexer Redis { get; }

    public IDatabase Database => Redis.GetDatabase();

    public TimeSpan LeaseDuration { get; }

    public ValueTask<ILockLease?> TryAcquireAsync(LockTarget target, CancellationToken cancellationToken) =>
        AcquireCoreAsync(target, TimeSpan.Zero, synchronous: false, cancellationToken);

    public async ValueTask<ILockLease> AcquireAsync(LockTarget target, TimeSpan timeout, CancellationToken cancellationToken) =>
        await AcquireCoreAsync(target, timeout, synchronous: false, cancellationToken).ConfigureAwait(false)
        ?? throw new LockWaitTimeoutException();

    public ILockLease Acquire(LockTarget target, TimeSpan timeout) =>
        Infrastructure.SyncViaAsync.Run(AcquireCoreAsync(target, timeout, synchronous: true, CancellationToken.None))
        ?? throw new LockWaitTimeoutException();

    /// <summary>
    /// The one acquisition protocol: a zero timeout tries once (<see langword="null"/> if held); otherwise it waits, woken by
    /// the holder's published release, with a bounded poll for a missed message or an expiry. <paramref name="synchronous"/>
    /// callers (<c>Lock()</c>) block their own thread where others await.
    /// </summary>
    private async ValueTask<ILockLease?> AcquireCoreAsync(LockTarget target, TimeSpan timeout, bool synchronous, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long started = Time.GetTimestamp();
        RedisKeys keys = KeysOf(target);
        string key = keys.Lock.ToString();
        while (true)
        {
            Task released = _signals.Register(key);
            try
            {
                var fenceWait = new FenceWait(timeout == TimeSpan.Zero ? FenceFile.TryLockPatience : Left(started, timeout), synchronous, cancellationToken, Time);
                (ILockLease? lease, TimeSpan heldFor) = await TryOnceAsync(target, keys, fenceWait).ConfigureAwait(false);
                if (lease is not null || timeout == TimeSpan.Zero)
                {
                    return lease;
                }

                // The timeout is on the engine's clock; the poll for a missed notice is real time, so that a wait on a
                // clock nobody advances still sees the lock come free.
                TimeSpan wait = NextWait(started, timeout, heldFor, key);
                if (synchronous)
                {
                    released.Wait(wait, cancellationToken);
                }
                else
                {
                    try
                    {
                        await released.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                    }
                }
            }
            finally
            {
                _signals.Unregister(key, released);
            }
        }
    }

    public async ValueTask<bool> IsLockedAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return KeysIfKnown(target) is { } keys && await Database.KeyExistsAsync(keys.Lock).ConfigureAwait(false);
    }

    public async ValueTask ForceUnlockAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using (RunDirectory? run = RunDirectory.TryOpen(target.WorkingDirectory))
        using (RunStateFolder? state = run?.OpenStateFolder(create: false))
        {
            if (run is not null && state is not null && RunIdentity.TryOf(run, state) is { } identity)
            {
                await ForceAsync(state, new RedisKeys(identity, target.FileName), target.FileName, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_active.TryGetValue(target.DocumentPath, out RedisLease? lease))
        {
            lease.MarkLost(LeaseLoss.Forced, "the lock was forced open (ForceUnlockAsync)");
        }
    }

    public async ValueTask<ClearOutcome> ClearLocksAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var outcome = new ClearOutcome();
        using RunDirectory? run = RunDirectory.TryOpen(workingDirectory);
        RunStateFolder? state;
        RunIdentity? identity;
        try
        {
            state = run?.OpenStateFolder(create: false);
            identity = run is null || state is null ? null : RunIdentity.TryOf(run, state);
        }
        catch (IOException e)
        {
            outcome.Refused.Add(e.Message);
            return outcome;
        }

        using (state)
        {
            if (state is null || identity is null)
            {
                return outcome; // never locked through Redis
            }

            // Every Redis acquisition raises the document's fence file on disk, so the files name the run's locks.
            foreach (string fileName in state.DocumentNames(FenceFile.Suffix).ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var keys = new RedisKeys(identity, fileName);
                    RedisValueWithExpiry held = await Database.StringGetWithExpiryAsync(keys.Lock).ConfigureAwait(false);
                    await ForceAsync(state, keys, fileName, cancellationToken).ConfigureAwait(false);
                    if (_active.TryGetValue(Path.Join(workingDirectory, fileName), out RedisLease? lease))
                    {
                        lease.MarkLost(LeaseLoss.Cleared, "the locks of its run were cleared (ClearLocksAsync)");
                    }

                    if (!held.Value.IsNull && NoDbLockHolder.Parse(Path.Join(workingDirectory, fileName), held.Value.ToString(),
                            held.Expiry is { } left ? Time.GetUtcNow() + left : null) is { } holder)
                    {
                        outcome.Cleared.Add(holder);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException or RedisFenceCounterException)
                {
                    // Never stop halfway: clear the rest, and report this one (a planted link, a bad fence counter).
                    outcome.Refused.Add(e.Message);
                }
            }
        }

        return outcome;
    }

    public async ValueTask<IReadOnlyList<NoDbLockHolder>> GetHoldersAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var holders = new List<NoDbLockHolder>();
        using RunDirectory? run = RunDirectory.TryOpen(workingDirectory);
        using RunStateFolder? state = run?.OpenStateFolder(create: false);
        if (run is null || state is null || RunIdentity.TryOf(run, state) is not { } identity)
        {
            return holders;
        }

        foreach (string fileName in state.DocumentNames(FenceFile.Suffix).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keys = new RedisKeys(identity, fileName);
            RedisValueWithExpiry lease = await Database.StringGetWithExpiryAsync(keys.Lock).ConfigureAwait(false);
            if (!lease.Value.IsNull && NoDbLockHolder.Parse(Path.Join(workingDirectory, fileName), lease.Value.ToString(),
                    lease.Expiry is { } left ? Time.GetUtcNow() + left : null) is { } holder)
            {
                holders.Add(holder);
            }
        }

        return holders;
    }

    internal void OnReleased(RedisLease lease) =>
        _active.TryRemove(new KeyValuePair<string, RedisLease>(lease.Target.DocumentPath, lease));

    /// <summary>The keys of the document's run, making the run's identity if it has none yet.</summary>
    private static RedisKeys KeysOf(LockTarget target)
    {
        using RunDirectory run = RunDirectory.Open(target.WorkingDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: true)!;
        return new RedisKeys(RunIdentity.OfOrCreate(run, state), target.FileName);
    }

    /// <summary>The keys of the document's run, or <see langword="null"/> if it was never locked (it has no identity yet).</summary>
    private static RedisKeys? KeysIfKnown(LockTarget target)
    {
        using RunDirectory? run = RunDirectory.TryOpen(target.WorkingDirectory);
        using RunStateFolder? state = run?.OpenStateFolder(create: false);
        return run is not null && state is not null && RunIdentity.TryOf(run, state) is { } identity ? new RedisKeys(identity, target.FileName) : null;
    }

    private async Task ForceAsync(RunStateFolder state, RedisKeys keys, string fileName, CancellationToken cancellationToken)
    {
        long seed = Math.Max(FenceFile.Peek(state, fileName), FenceFile.ClockFloor());
        var target = new LockTarget(Path.GetDirectoryName(state.Path)!, fileName);
        long fence = FenceIssued(target, keys, await Database.ScriptEvaluateAsync(RedisScripts.Force, [keys.Lock, keys.Fence], [RedisKeys.ReleasedChannel, seed]).ConfigureAwait(false));

        // The storage learns of the new number too: a holder that missed the news is refused when it writes.
        await FenceFile.RaiseAsync(state, fileName, fence, new FenceWait(_fenceWait, false, cancellationToken, Time)).ConfigureAwait(false);
    }

    private async ValueTask<(ILockLease? Lease, TimeSpan HeldFor)> TryOnceAsync(LockTarget target, RedisKeys keys, FenceWait wait)
    {
        (string owner, RedisValue[] args) = Prepare(target);
        RedisResult result;
        long sentAt = Time.GetTimestamp();
        try
        {
            result = wait.Synchronous
                ? Database.ScriptEvaluate(RedisScripts.Acquire, [keys.Lock, keys.Fence], args)
                : await Database.ScriptEvaluateAsync(RedisScripts.Acquire, [keys.Lock, keys.Fence], args).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            ReleaseIfTaken(keys, owner);
            throw;
        }

        return await GrantedAsync(target, keys, owner, AcquireOutcome(target, keys, result), sentAt, wait).ConfigureAwait(false);
    }

    /// <summary>
    /// The reply to an acquisition never arrived, but the script may have run: give back a lease this owner may hold, so
    /// that no lock is left held by nobody. Best effort; if it is lost too, the lease runs out.
    /// </summary>
    private void ReleaseIfTaken(RedisKeys keys, string owner)
    {
        try
        {
            Database.ScriptEvaluate(RedisScripts.ReleaseOwned, [keys.Lock], [owner + "|", RedisKeys.ReleasedChannel], CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            NoDbLog.ReleaseUnconfirmed(Logger, keys.Lock.ToString(), e);
        }
    }

    private (string Owner, RedisValue[] Args) Prepare(LockTarget target)
    {
        // The seed is read without the fence file's lock: a process frozen while it holds that lock must not stall this.
        long onDisk;
        using (RunDirectory run = RunDirectory.Open(target.WorkingDirectory))
        using (RunStateFolder state = run.OpenStateFolder(create: true)!)
        {
            onDisk = FenceFile.Peek(state, target.FileName);
        }

        long seed = Math.Max(onDisk, FenceFile.ClockFloor());
        string owner = string.Create(CultureInfo.InvariantCulture, $"{_owner}|{Time.GetUtcNow().ToUnixTimeMilliseconds()}|{Guid.NewGuid():N}");
        return (owner, [owner, (long)LeaseDuration.TotalMilliseconds, seed]);
    }

    private async ValueTask<(ILockLease? Lease, TimeSpan HeldFor)> GrantedAsync(LockTarget target, RedisKeys keys, string owner, long result, long sentAt, FenceWait wait)
    {
        if (result < 0)
        {
            return (null, result == HeldWithoutExpiry ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(-result));
        }

        // Tell the storage about the new number before anything is written under it.
        string value = string.Create(CultureInfo.InvariantCulture, $"{owner}|{result}");
        try
        {
            using RunDirectory run = RunDirectory.Open(target.WorkingDirectory);
            using RunStateFolder state = run.OpenStateFolder(create: true)!;
            await FenceFile.RaiseAsync(state, target.FileName, result, wait).ConfigureAwait(false);
        }
        catch (FenceBusyException e)
        {
            ReleaseIfTaken(keys, owner);
            throw new LockWaitTimeoutException(e.Message, e) { Cause = e.Message };
        }
        catch
        {
            ReleaseIfTaken(keys, owner);
            throw;
        }

        var lease = new RedisLease(this, target, keys, value, result, sentAt);
        _active[target.DocumentPath] = lease;
        return (lease, TimeSpan.Zero);
    }

    private TimeSpan Left(long started, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return timeout;
        }

        TimeSpan left = timeout - Time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>
    /// How long to sleep before trying again: until the release notice, the end of the holder's lease, or the poll for a
    /// missed notice, whichever is first. A key with no expiry (<paramref name="heldFor"/> infinite) never runs out, so it
    /// is waited on through the notice and the poll alone, never re-tried at once.
    /// </summary>
    private TimeSpan NextWait(long started, TimeSpan timeout, TimeSpan heldFor, string lockKey)
    {
        TimeSpan poll = heldFor > TimeSpan.Zero && heldFor < MissedMessagePoll ? heldFor : MissedMessagePoll;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return poll;
        }

        TimeSpan left = timeout - Time.GetElapsedTime(started);
        if (left <= TimeSpan.Zero)
        {
            throw new LockWaitTimeoutException
            {
                Cause = heldFor == Timeout.InfiniteTimeSpan
                    ? $"its Redis lock key '{lockKey}' has no expiry (set without one, by hand or by a faulty client), so it never " +
                      "runs out by itself. If no holder is working on the document, clear it: ForceUnlockAsync() on the controller, " +
                      $"NoDbRuntime.ClearLocksAsync(runId) for the whole run, or redis-cli DEL {lockKey}."
                    : null,
            };
        }

        return left < poll ? left : poll;
    }

    /// <summary>The Acquire script's reply to a lock that is held by a key with no expiry.</summary>
    private const long HeldWithoutExpiry = long.MinValue;

    /// <summary>
    /// Reads the Acquire script's reply as the fencing number (0 or more), -(remaining lease ms) when the lock is held, or
    /// <see cref="HeldWithoutExpiry"/>; throws when the fence counter cannot issue a number (no lease was taken then).
    /// </summary>
    private static long AcquireOutcome(LockTarget target, RedisKeys keys, RedisResult result)
    {
        RedisResult[] reply = (RedisResult[])result!;
        switch ((string?)reply[0])
        {
            case "held":
                long ttl = (long)reply[1];
                return ttl < 0 ? HeldWithoutExpiry : -Math.Max(ttl, 1);
            default:
                return FenceIssued(target, keys, result);
        }
    }

    /// <summary>Reads {'ok', fence} exactly (the number is a decimal string, never a Lua double), or throws for {'bad', why, value}.</summary>
    private static long FenceIssued(LockTarget target, RedisKeys keys, RedisResult result)
    {
        RedisResult[] reply = (RedisResult[])result!;
        if ((string?)reply[0] == "ok"
            && long.TryParse((string?)reply[1], NumberStyles.None, CultureInfo.InvariantCulture, out long fence))
        {
            return fence;
        }

        if ((string?)reply[0] == "bad")
        {
            throw new RedisFenceCounterException(target.DocumentPath, keys.Fence.ToString(), (string?)reply[1] ?? "invalid", (string?)reply[2] ?? "");
        }

        throw new InvalidOperationException($"Unexpected reply from NoDb's Redis script for '{target.DocumentPath}': {result}.");
    }
}
