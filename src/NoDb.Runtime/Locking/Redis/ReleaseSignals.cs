using System.Collections.Concurrent;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>
/// Wakes this process's waiter for a lock when its release is published. One subscription per backend; at most one waiter
/// per document per process (the rest queue at the local gate), so one signal per key is enough.
/// </summary>
internal sealed class ReleaseSignals : IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisKeys.ReleasedChannel);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
    private readonly ISubscriber _subscriber;
    private readonly Action<RedisChannel, RedisValue> _handler;

    public ReleaseSignals(IConnectionMultiplexer redis, Microsoft.Extensions.Logging.ILogger logger)
    {
        _subscriber = redis.GetSubscriber();
        _handler = (_, key) =>
        {
            if (_waiting.TryRemove(key.ToString(), out TaskCompletionSource? signal))
            {
                signal.TrySetResult();
            }
        };

        // Not awaited: StackExchange.Redis keeps the subscription and restores it when the connection (re)opens, so a
        // Redis that is down now neither blocks nor loses it; waiters poll meanwhile.
        _ = _subscriber.SubscribeAsync(Channel, _handler).ContinueWith(
            t => NoDb.Diagnostics.NoDbLog.NoticeSubscriptionFailed(
                logger, RedisKeys.ReleasedChannel, "waiters poll for released locks instead of being woken", t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>A task that completes when <paramref name="lockKey"/> is next released. Register before trying, so no release is missed.</summary>
    public Task Register(string lockKey)
    {
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

    public void Dispose()
    {
        try
        {
            _subscriber.Unsubscribe(Channel, _handler, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
        }
    }
}
