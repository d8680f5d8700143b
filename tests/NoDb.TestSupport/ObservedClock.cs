using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace NoDb.TestSupport;

/// <summary>
/// A fake clock that also tells when a timer is started with a given period or due time, so that a test advances it only
/// once the code under test is waiting on it: no sleep, no poll.
/// </summary>
public sealed class ObservedClock : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, TaskCompletionSource> _started = new();

    /// <summary>Completes once a timer is created, or changed, to fire <paramref name="after"/> from now (due or period).</summary>
    public Task TimerStarted(TimeSpan after) =>
        _started.GetOrAdd(after, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Observed(this, base.CreateTimer(callback, state, dueTime, period), dueTime, period);

    private void Started(TimeSpan dueTime, TimeSpan period)
    {
        TimerStarted(dueTime);
        _started[dueTime].TrySetResult();
        if (period != Timeout.InfiniteTimeSpan)
        {
            TimerStarted(period);
            _started[period].TrySetResult();
        }
    }

    private sealed class Observed : ITimer
    {
        private readonly ObservedClock _clock;
        private readonly ITimer _inner;

        public Observed(ObservedClock clock, ITimer inner, TimeSpan dueTime, TimeSpan period)
        {
            _clock = clock;
            _inner = inner;
            clock.Started(dueTime, period);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = _inner.Change(dueTime, period);
            _clock.Started(dueTime, period);
            return changed;
        }

        public void Dispose() => _inner.Dispose();

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
