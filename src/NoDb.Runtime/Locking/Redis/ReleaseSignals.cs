using System.Collections.Concurrent;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>
/// Wakes this process's waiter for a lock when its release is published. One subscription per backend; at most one waiter
/// per document per process (the rest queue at the local gate), so one signal per key is enough.
/// </summary>
internal sealed class ReleaseSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer _redis;
    private int _subscribed;

    public ReleaseSignals(IConnectionMultiplexer redis)
    {
        _redis = redis;
        EnsureSubscribed();
    }

    /// <summary>A task that completes when <paramref name="lockKey"/> is next released. Register before trying, so no release is missed.</summary>
    public Task Register(string lockKey)
    {
        EnsureSubscribed();
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[lockKey] = signal;
        return signal.Task;
    }

    public void Unregister(string lockKey, Task signal)
    {
        if (_waiting.TryGetValue(lockKey, out TaskCompletionSource? current) && ReferenceEquals(current.Task, signal))
        {
            _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource>(lockKey, current));
        }
    }

    /// <summary>Subscribes once; if Redis is down, the next waiter tries again (and waiters poll meanwhile).</summary>
    private void EnsureSubscribed()
    {
        if (Volatile.Read(ref _subscribed) == 1)
        {
            return;
        }

        try
        {
            _redis.GetSubscriber().Subscribe(RedisChannel.Literal(RedisKeys.ReleasedChannel), (_, key) =>
            {
                if (_waiting.TryRemove(key.ToString(), out TaskCompletionSource? signal))
                {
                    signal.TrySetResult();
                }
            });
            Volatile.Write(ref _subscribed, 1);
        }
        catch (RedisException)
        {
        }
    }
}
