using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>
/// Wakes this process's waiter for a lock when its release is published. One subscription per backend; at most one waiter
/// per document per process (the rest queue at the local gate), so one signal per key is enough.
/// </summary>
/// <remarks>
/// Notices come on two channels: <see cref="RedisKeys.ReleasedChannel"/>, which every process hears, and the same name
/// followed by ":host|pid", which only this process hears, so that a hand-over wakes one process, not all of them.
/// A notice is the lock key alone (released, forced or abandoned: whoever waits may try), or "key\nticket" (the queue's
/// head should try: it is first), or "key\nticket\nvalue" (a release handed the lock to that ticket's waiter: the lock's
/// value, "host|pid|acquired ms|nonce|fence"). A notice naming a ticket wakes only the waiter holding that ticket. Notices can be lost (pub/sub
/// delivers at most once), so they only speed waiters up: a waiter also polls, and its next try finds a lock granted
/// to it.
/// </remarks>
internal sealed class ReleaseSignals : IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisKeys.ReleasedChannel);
    private readonly RedisChannel _own;

    private readonly ConcurrentDictionary<string, Waiter> _waiting = new(StringComparer.Ordinal);
    private readonly ISubscriber _subscriber;
    private readonly Action<RedisChannel, RedisValue> _handler;

    /// <param name="redis">The connection.</param>
    /// <param name="process">"host|pid": the name this process's claimants start with.</param>
    /// <param name="logger">Where a subscription that cannot be made is logged.</param>
    public ReleaseSignals(IConnectionMultiplexer redis, string process, Microsoft.Extensions.Logging.ILogger logger)
    {
        _subscriber = redis.GetSubscriber();
        _handler = (_, message) => Deliver(message.ToString());
        _own = RedisChannel.Literal(RedisKeys.ReleasedChannel + ":" + process);

        // Not awaited: StackExchange.Redis keeps the subscriptions and restores them when the connection (re)opens, so a
        // Redis that is down now neither blocks nor loses them; waiters poll meanwhile.
        foreach (RedisChannel channel in new[] { Channel, _own })
        {
            string name = channel.ToString();
            _ = _subscriber.SubscribeAsync(channel, _handler).ContinueWith(
                t => NoDb.Diagnostics.NoDbLog.NoticeSubscriptionFailed(
                    logger, name, "waiters poll for released locks instead of being woken", t.Exception!.GetBaseException()),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// A task that completes when <paramref name="lockKey"/> is next released to this waiter: with the value of a lock a
    /// release granted to <paramref name="ticket"/>, or <see langword="null"/> for "try now". Register before trying, so no
    /// notice is missed.
    /// </summary>
    public Task<string?> Register(string lockKey, string ticket)
    {
        var waiter = new Waiter(ticket);
        _waiting[lockKey] = waiter;
        return waiter.Signal.Task;
    }

    public void Unregister(string lockKey, Task<string?> signal)
    {
        if (_waiting.TryGetValue(lockKey, out Waiter? current) && ReferenceEquals(current.Signal.Task, signal))
        {
            _waiting.TryRemove(new KeyValuePair<string, Waiter>(lockKey, current));
        }
    }

    public void Dispose()
    {
        try
        {
            _subscriber.Unsubscribe(Channel, _handler, CommandFlags.FireAndForget);
            _subscriber.Unsubscribe(_own, _handler, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
        }
    }

    /// <summary>Wakes the waiter a notice is for; malformed notices wake nobody (the waiters' polls cover them).</summary>
    internal void Deliver(string message)
    {
        string[] parts = message.Split('\n');
        if (parts.Length > 3 || !_waiting.TryGetValue(parts[0], out Waiter? waiter))
        {
            return;
        }

        if (parts.Length >= 2 && !string.Equals(parts[1], waiter.Ticket, StringComparison.Ordinal))
        {
            return; // the notice is for another waiter, here or elsewhere
        }

        // A grant's value must end in a fencing number; anything else means "try", and the script tells.
        string? granted = parts.Length == 3 && FenceOf(parts[2]) > 0 ? parts[2] : null;
        if (_waiting.TryRemove(new KeyValuePair<string, Waiter>(parts[0], waiter)))
        {
            waiter.Signal.TrySetResult(granted);
        }
    }

    /// <summary>The fencing number at the end of a lock value ("…|fence"), or 0 if it has none.</summary>
    internal static long FenceOf(string value)
    {
        int bar = value.LastIndexOf('|');
        return bar >= 0 && long.TryParse(value.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long fence) ? fence : 0;
    }

    private sealed class Waiter(string ticket)
    {
        public string Ticket { get; } = ticket;

        public TaskCompletionSource<string?> Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
