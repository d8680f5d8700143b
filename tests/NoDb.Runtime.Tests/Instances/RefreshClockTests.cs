using Microsoft.Extensions.Time.Testing;
using NoDb.Instances;

namespace NoDb.Runtime.Tests.Instances;

/// <summary>The trust a cached instance gets from a disk check: only for the epoch the check began in, only while held.</summary>
public sealed class RefreshClockTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly RefreshClock _clock;

    public RefreshClockTests() => _clock = new RefreshClock(Interval, _time);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public void A_checked_instance_is_trusted_until_the_tick_and_not_after()
    {
        var entry = new InstanceEntry<object>("/runs/run-1", lookupSlot: 0);
        object instance = Held(entry);

        _clock.Trust(entry, instance, _clock.EpochForCheck, entry.Staleness);
        _time.Advance(Interval - TimeSpan.FromTicks(1));
        Assert.Same(instance, entry.Trusted);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(entry.Trusted);
    }

    [Fact]
    public void A_check_that_began_before_a_tick_is_not_trusted_after_it()
    {
        var entry = new InstanceEntry<object>("/runs/run-1", lookupSlot: 0);
        object instance = Held(entry);

        int? began = _clock.EpochForCheck;
        _time.Advance(Interval); // the tick comes while the check reads the disk
        _clock.Trust(entry, instance, began, entry.Staleness);

        Assert.Null(entry.Trusted);
    }

    [Fact]
    public void An_instance_the_entry_let_go_of_or_an_entry_removed_before_the_trust_is_not_trusted()
    {
        var replaced = new InstanceEntry<object>("/runs/run-1", lookupSlot: 0);
        object checkedOne = Held(replaced);
        replaced.Instance = new object(); // a loader replaced it (the document was deleted and created again)
        var evicted = new InstanceEntry<object>("/runs/run-2", lookupSlot: 0);
        object evictedOne = Held(evicted);
        evicted.Instance = null;
        var removed = new InstanceEntry<object>("/runs/run-3", lookupSlot: 0);
        object removedOne = Held(removed);
        removed.Removed = true;

        _clock.Trust(replaced, checkedOne, _clock.EpochForCheck, replaced.Staleness);
        _clock.Trust(evicted, evictedOne, _clock.EpochForCheck, evicted.Staleness);
        _clock.Trust(removed, removedOne, _clock.EpochForCheck, removed.Staleness);

        Assert.Null(replaced.Trusted);
        Assert.Null(evicted.Trusted);
        Assert.Null(removed.Trusted);
    }

    [Fact]
    public void A_check_that_a_change_notice_overtook_is_not_trusted()
    {
        var entry = new InstanceEntry<object>("/runs/run-1", lookupSlot: 0);
        object instance = Held(entry);

        int staleness = entry.Staleness; // the check begins, and reads the disk as it was
        entry.MarkStale();               // another process commits, and its notice arrives before the check ends
        _clock.Trust(entry, instance, _clock.EpochForCheck, staleness);
        Assert.Null(entry.Trusted);

        _clock.Trust(entry, instance, _clock.EpochForCheck, entry.Staleness); // the next check, after the notice
        Assert.Same(instance, entry.Trusted);
    }

    [Fact]
    public void A_trusted_instance_stops_being_trusted_when_the_entry_changes_or_is_told_it_is_stale()
    {
        var changed = new InstanceEntry<object>("/runs/run-1", lookupSlot: 0);
        _clock.Trust(changed, Held(changed), _clock.EpochForCheck, changed.Staleness);
        var noticed = new InstanceEntry<object>("/runs/run-2", lookupSlot: 0);
        _clock.Trust(noticed, Held(noticed), _clock.EpochForCheck, noticed.Staleness);

        changed.Instance = null;
        noticed.MarkStale(); // a change notice from another process

        Assert.Null(changed.Trusted);
        Assert.Null(noticed.Trusted);
    }

    [Fact]
    public void A_zero_interval_or_a_stopped_clock_trusts_nothing()
    {
        using var everyCall = new RefreshClock(TimeSpan.Zero, _time);
        var entry = new InstanceEntry<object>("/runs/run-1", lookupSlot: 0);
        object instance = Held(entry);
        everyCall.Trust(entry, instance, everyCall.EpochForCheck, entry.Staleness);
        Assert.Null(entry.Trusted);

        var stopped = new RefreshClock(Interval, _time);
        stopped.Trust(entry, instance, stopped.EpochForCheck, entry.Staleness);
        Assert.Same(instance, entry.Trusted);
        int? epoch = stopped.EpochForCheck;
        stopped.Dispose(); // its engine was replaced: what it trusted is stale, and nothing is trusted any more
        Assert.Null(entry.Trusted);
        stopped.Trust(entry, instance, epoch, entry.Staleness);
        stopped.Trust(entry, instance, stopped.EpochForCheck, entry.Staleness);
        Assert.Null(entry.Trusted);
    }

    private static object Held(InstanceEntry<object> entry)
    {
        var instance = new object();
        entry.Instance = instance;
        return instance;
    }
}
