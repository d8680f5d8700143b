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
internal sealed class RedisLockBackend : ILockBackend, IDocumentCache
{
    private static readonly TimeSpan MissedMessagePoll = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, RedisLease> _active = new(StringComparer.Ordinal);
    private readonly ReleaseSignals _signals;
    private readonly string _owner = $"{Environment.MachineName}|{Environment.ProcessId}";

    private readonly TimeSpan _cacheTimeToLive;

    public RedisLockBackend(IConnectionMultiplexer redis, TimeSpan leaseDuration, TimeSpan cacheTimeToLive)
    {
        Redis = redis;
        LeaseDuration = leaseDuration;
        _cacheTimeToLive = cacheTimeToLive;
        _signals = new ReleaseSignals(redis);
        try
        {
            // Commits elsewhere mark this process's cached instance stale; it is refreshed in place on next use.
            redis.GetSubscriber().Subscribe(RedisChannel.Literal(RedisKeys.ChangedChannel), static (_, path) => Instances.InstanceDirectory.MarkStale(path.ToString()));
        }
        catch (RedisException)
        {
            // Redis is down at start: instances are still refreshed by the periodic disk check (RefreshInterval).
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

            // Current only if no acquisition has reached the disk since it was cached.
            return fence >= FenceFile.Current(FencePath(target)) ? (byte[]?)entry[1] : null;
        }
        catch (RedisException)
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
        catch (RedisException)
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
                [fencingNumber, document, (long)_cacheTimeToLive.TotalSeconds, RedisKeys.ChangedChannel, target.DocumentPath],
                CommandFlags.FireAndForget);
        }
        catch (RedisException)
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

                TimeSpan wait = NextWait(started, timeout, heldFor);
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

                released.Wait(NextWait(started, timeout, heldFor));
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
        long fence = (long)await Database.ScriptEvaluateAsync(RedisScripts.Force, [keys.Lock, keys.Fence], [RedisKeys.ReleasedChannel]).ConfigureAwait(false);
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

            await ForceUnlockAsync(new LockTarget(workingDirectory, fileName), cancellationToken).ConfigureAwait(false);
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
        RedisResult result = await Database.ScriptEvaluateAsync(RedisScripts.Acquire, [keys.Lock, keys.Fence], args).ConfigureAwait(false);
        return Granted(target, keys, owner, (long)result);
    }

    private (ILockLease? Lease, TimeSpan HeldFor) TryOnce(LockTarget target)
    {
        (RedisKeys keys, string owner, RedisValue[] args) = Prepare(target);
        RedisResult result = Database.ScriptEvaluate(RedisScripts.Acquire, [keys.Lock, keys.Fence], args);
        return Granted(target, keys, owner, (long)result);
    }

    private (RedisKeys Keys, string Owner, RedisValue[] Args) Prepare(LockTarget target)
    {
        var directory = new DirectoryInfo(target.StateDirectory);
        if (directory.LinkTarget is not null)
        {
            throw new IOException($"'{target.StateDirectory}' is a symbolic link; NoDb keeps its fence files in a real folder inside the working directory.");
        }

        directory.Create();
        long seed = FenceFile.Current(FencePath(target));
        string owner = string.Create(CultureInfo.InvariantCulture, $"{_owner}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}|{Guid.NewGuid():N}");
        return (new RedisKeys(target), owner, [owner, (long)LeaseDuration.TotalMilliseconds, seed]);
    }

    private (ILockLease? Lease, TimeSpan HeldFor) Granted(LockTarget target, RedisKeys keys, string owner, long result)
    {
        if (result < 0)
        {
            return (null, TimeSpan.FromMilliseconds(-result));
        }

        // Tell the storage about the new number before anything is written under it.
        FenceFile.Raise(FencePath(target), result);
        var lease = new RedisLease(this, target, keys, string.Create(CultureInfo.InvariantCulture, $"{owner}|{result}"), result, FencePath(target));
        _active[target.DocumentPath] = lease;
        return (lease, TimeSpan.Zero);
    }

    private static TimeSpan NextWait(long started, TimeSpan timeout, TimeSpan heldFor)
    {
        TimeSpan poll = heldFor > TimeSpan.Zero && heldFor < MissedMessagePoll ? heldFor : MissedMessagePoll;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return poll;
        }

        TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
        if (left <= TimeSpan.Zero)
        {
            throw new TimeoutException();
        }

        return left < poll ? left : poll;
    }

    private static string FencePath(LockTarget target) => Path.Join(target.StateDirectory, target.FileName + FenceSuffix);
}
