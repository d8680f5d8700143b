using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using NoDb.Locking.FileLocks;
using NoDb.Storage;
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

    private static readonly RedisChannel ChangedChannel = RedisChannel.Literal(RedisKeys.ChangedChannel);
    private static readonly Action<RedisChannel, RedisValue> OnChanged = static (_, identity) => Instances.InstanceDirectory.MarkStale(identity.ToString());

    private readonly TimeSpan _cacheTimeToLive;

    public RedisLockBackend(IConnectionMultiplexer redis, TimeSpan leaseDuration, TimeSpan cacheTimeToLive, TimeSpan? checkInterval = null)
    {
        Redis = redis;
        LeaseDuration = leaseDuration;
        _cacheTimeToLive = cacheTimeToLive;

        // Renew often enough that a lock cleared elsewhere is noticed within the check interval, as the embedded backend does.
        TimeSpan third = leaseDuration / 3;
        RenewEvery = checkInterval is { } check && check < third ? check : third;
        _signals = new ReleaseSignals(redis);

        // Commits elsewhere mark this process's cached instance stale; it is refreshed in place on next use. Not awaited:
        // the subscription is kept and restored when Redis is (back) up.
        _ = redis.GetSubscriber().SubscribeAsync(ChangedChannel, OnChanged).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public TimeSpan RenewEvery { get; }

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
            var keys = new RedisKeys(target);
            RedisValue[] entry = Database.HashGet(keys.Document, ["fence", "body"]);
            if (entry[0].IsNull || entry[1].IsNull || !entry[0].TryParse(out long fence))
            {
                return null;
            }

            // Current only if no acquisition has reached the disk since it was cached. A read creates no file.
            return fence >= FenceFile.Peek(FencePath(target)) ? (byte[]?)entry[1] : null;
        }
        catch (Exception e) when (RedisFailures.Is(e) || e is IOException)
        {
            return null; // the disk serves
        }
    }

    public void Invalidate(LockTarget target)
    {
        try
        {
            Database.KeyDelete(new RedisKeys(target).Document, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
        }
    }

    public void Committed(LockTarget target, long fencingNumber, byte[] document)
    {
        try
        {
            var keys = new RedisKeys(target);
            Database.ScriptEvaluate(
                RedisScripts.CacheCommitted,
                [keys.Document],
                [fencingNumber, document, (long)_cacheTimeToLive.TotalSeconds, RedisKeys.ChangedChannel, target.Identity],
                CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            // The document is committed on disk; the cache and the notice are only speed.
        }
    }

    public IConnectionMultiplexer Redis { get; }

    public IDatabase Database => Redis.GetDatabase();

    public TimeSpan LeaseDuration { get; }

    public async ValueTask<ILockLease?> TryAcquireAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        (ILockLease? lease, _) = await TryOnceAsync(target).ConfigureAwait(false);
        return lease;
    }

    public async ValueTask<ILockLease> AcquireAsync(LockTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string key = new RedisKeys(target).Lock.ToString();
        while (true)
        {
            Task released = _signals.Register(key);
            try
            {
                (ILockLease? lease, TimeSpan heldFor) = await TryOnceAsync(target).ConfigureAwait(false);
                if (lease is not null)
                {
                    return lease;
                }

                TimeSpan wait = NextWait(started, timeout, heldFor, key);
                try
                {
                    // Woken by the holder's published release; the bounded wait covers a missed message or an expiry.
                    await released.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
            finally
            {
                _signals.Unregister(key, released);
            }
        }
    }

    public ILockLease Acquire(LockTarget target, TimeSpan timeout)
    {
        long started = Stopwatch.GetTimestamp();
        string key = new RedisKeys(target).Lock.ToString();
        while (true)
        {
            Task released = _signals.Register(key);
            try
            {
                (ILockLease? lease, TimeSpan heldFor) = TryOnce(target);
                if (lease is not null)
                {
                    return lease;
                }

                released.Wait(NextWait(started, timeout, heldFor, key));
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
        return await Database.KeyExistsAsync(new RedisKeys(target).Lock).ConfigureAwait(false);
    }

    public async ValueTask ForceUnlockAsync(LockTarget target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new RedisKeys(target);
        long seed = Directory.Exists(target.StateDirectory) ? Math.Max(FenceFile.Peek(FencePath(target)), FenceFile.ClockFloor()) : FenceFile.ClockFloor();
        long fence = FenceIssued(target, keys, await Database.ScriptEvaluateAsync(RedisScripts.Force, [keys.Lock, keys.Fence], [RedisKeys.ReleasedChannel, seed]).ConfigureAwait(false));
        if (Directory.Exists(target.StateDirectory))
        {
            // The storage learns of the new number too: a holder that missed the news is refused when it writes.
            FenceFile.Raise(FencePath(target), fence);
        }

        if (_active.TryGetValue(target.DocumentPath, out RedisLease? lease))
        {
            lease.MarkLost("the lock was forced open (ForceUnlockAsync or ClearLocksAsync)");
        }
    }

    public async ValueTask ClearLocksAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        string stateDirectory = Path.Join(workingDirectory, NoDbPaths.StateFolder);
        if (!Directory.Exists(stateDirectory))
        {
            return;
        }

        // Every Redis acquisition raises the document's fence file on disk, so the files name the run's locks.
        RedisFenceCounterException? unclearable = null;
        foreach (string fenceFile in Directory.EnumerateFiles(stateDirectory, "*" + FenceSuffix))
        {
            string fileName = Path.GetFileName(fenceFile)[..^FenceSuffix.Length];
            try
            {
                NoDbPaths.ValidateFileName(fileName);
            }
            catch (ArgumentException)
            {
                continue;
            }

            try
            {
                await ForceUnlockAsync(new LockTarget(workingDirectory, fileName), cancellationToken).ConfigureAwait(false);
            }
            catch (RedisFenceCounterException e)
            {
                unclearable ??= e; // the run's other locks are still cleared; this one is reported after
            }
        }

        if (unclearable is not null)
        {
            throw unclearable;
        }
    }

    public async ValueTask<IReadOnlyList<NoDbLockHolder>> GetHoldersAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var holders = new List<NoDbLockHolder>();
        string stateDirectory = Path.Join(workingDirectory, NoDbPaths.StateFolder);
        if (!Directory.Exists(stateDirectory))
        {
            return holders;
        }

        foreach (string fenceFile in Directory.EnumerateFiles(stateDirectory, "*" + FenceSuffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string fileName = Path.GetFileName(fenceFile)[..^FenceSuffix.Length];
            try
            {
                NoDbPaths.ValidateFileName(fileName);
            }
            catch (ArgumentException)
            {
                continue;
            }

            var keys = new RedisKeys(new LockTarget(workingDirectory, fileName));
            RedisValueWithExpiry lease = await Database.StringGetWithExpiryAsync(keys.Lock).ConfigureAwait(false);
            if (!lease.Value.IsNull && NoDbLockHolder.Parse(Path.Join(workingDirectory, fileName), lease.Value.ToString(),
                    lease.Expiry is { } left ? DateTimeOffset.UtcNow + left : null) is { } holder)
            {
                holders.Add(holder);
            }
        }

        return holders;
    }

    internal void OnReleased(RedisLease lease) =>
        _active.TryRemove(new KeyValuePair<string, RedisLease>(lease.Target.DocumentPath, lease));

    private const string FenceSuffix = ".fence";

    private async Task<(ILockLease? Lease, TimeSpan HeldFor)> TryOnceAsync(LockTarget target)
    {
        (RedisKeys keys, string owner, RedisValue[] args) = Prepare(target);
        RedisResult result;
        long sentAt = Stopwatch.GetTimestamp();
        try
        {
            result = await Database.ScriptEvaluateAsync(RedisScripts.Acquire, [keys.Lock, keys.Fence], args).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            ReleaseIfTaken(keys, owner);
            throw;
        }

        return Granted(target, keys, owner, AcquireOutcome(target, keys, result), sentAt);
    }

    private (ILockLease? Lease, TimeSpan HeldFor) TryOnce(LockTarget target)
    {
        (RedisKeys keys, string owner, RedisValue[] args) = Prepare(target);
        RedisResult result;
        long sentAt = Stopwatch.GetTimestamp();
        try
        {
            result = Database.ScriptEvaluate(RedisScripts.Acquire, [keys.Lock, keys.Fence], args);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            ReleaseIfTaken(keys, owner);
            throw;
        }

        return Granted(target, keys, owner, AcquireOutcome(target, keys, result), sentAt);
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
        }
    }

    private (RedisKeys Keys, string Owner, RedisValue[] Args) Prepare(LockTarget target)
    {
        var directory = new DirectoryInfo(target.StateDirectory);
        if (directory.LinkTarget is not null)
        {
            throw new IOException($"'{target.StateDirectory}' is a symbolic link; NoDb keeps its fence files in a real folder inside the working directory.");
        }

        directory.Create();
        long seed = Math.Max(FenceFile.Current(FencePath(target)), FenceFile.ClockFloor());
        string owner = string.Create(CultureInfo.InvariantCulture, $"{_owner}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}|{Guid.NewGuid():N}");
        return (new RedisKeys(target), owner, [owner, (long)LeaseDuration.TotalMilliseconds, seed]);
    }

    private (ILockLease? Lease, TimeSpan HeldFor) Granted(LockTarget target, RedisKeys keys, string owner, long result, long sentAt)
    {
        if (result < 0)
        {
            return (null, result == HeldWithoutExpiry ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(-result));
        }

        // Tell the storage about the new number before anything is written under it.
        string value = string.Create(CultureInfo.InvariantCulture, $"{owner}|{result}");
        try
        {
            FenceFile.Raise(FencePath(target), result);
        }
        catch
        {
            ReleaseIfTaken(keys, owner);
            throw;
        }

        var lease = new RedisLease(this, target, keys, value, result, FencePath(target), sentAt);
        _active[target.DocumentPath] = lease;
        return (lease, TimeSpan.Zero);
    }

    /// <summary>
    /// How long to sleep before trying again: until the release notice, the end of the holder's lease, or the poll for a
    /// missed notice, whichever is first. A key with no expiry (<paramref name="heldFor"/> infinite) never runs out, so it
    /// is waited on through the notice and the poll alone, never re-tried at once.
    /// </summary>
    private static TimeSpan NextWait(long started, TimeSpan timeout, TimeSpan heldFor, string lockKey)
    {
        TimeSpan poll = heldFor > TimeSpan.Zero && heldFor < MissedMessagePoll ? heldFor : MissedMessagePoll;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return poll;
        }

        TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
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

    private static string FencePath(LockTarget target) => Path.Join(target.StateDirectory, target.FileName + FenceSuffix);
}
