namespace NoDb.Instances;

/// <summary>
/// An epoch that a timer advances every <see cref="NoDbOptions.RefreshInterval"/>. A cached instance checked against the
/// disk is trusted for the rest of the epoch it was checked in: the clock keeps the entries it trusts and makes each stale
/// again when the epoch ends, so the hot path of <c>GetInstance</c> reads one field, with no I/O, clock read or epoch
/// compare. One per engine.
/// </summary>
internal sealed class RefreshClock : IDisposable
{
    private readonly object _sync = new();
    private readonly ITimer? _timer;
    private readonly List<IStaleable> _trusted = [];
    private int _epoch = 1;
    private bool _disposed;

    public RefreshClock(TimeSpan interval, TimeProvider time)
    {
        if (interval > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(static state => ((RefreshClock)state!).Tick(), this, interval, interval);
        }
    }

    /// <summary>
    /// The epoch a check that starts now belongs to (read before the check, so that a tick during it does not stretch the
    /// trust), or <see langword="null"/> when nothing is ever trusted (a zero interval: every call checks).
    /// </summary>
    public int? EpochForCheck => _timer is null ? null : Volatile.Read(ref _epoch);

    /// <summary>
    /// Trusts <paramref name="instance"/> in <paramref name="entry"/> until the epoch ends, if the check that began in
    /// <paramref name="epoch"/> (the entry's <see cref="InstanceEntry{T}.Staleness"/> then: <paramref name="staleness"/>)
    /// finished within it, nothing marked the entry stale meanwhile, and it still holds that instance; otherwise does
    /// nothing (the next use checks again). An entry is kept once per epoch, however often it is trusted again in it.
    /// </summary>
    public void Trust<T>(InstanceEntry<T> entry, T instance, int? epoch, int staleness)
        where T : class
    {
        lock (_sync)
        {
            if (epoch == _epoch && !_disposed && entry.Trust(instance, staleness) && entry.EnlistedEpoch != _epoch)
            {
                entry.EnlistedEpoch = _epoch;
                _trusted.Add(entry);
            }
        }
    }

    /// <summary>Stops the clock: what it trusted is stale, and nothing is trusted from now on.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        lock (_sync)
        {
            _disposed = true;
            EndEpoch();
        }
    }

    private void Tick()
    {
        lock (_sync)
        {
            EndEpoch();
        }
    }

    /// <summary>Under <c>_sync</c>: a new epoch, and every entry trusted in the one that ends is stale.</summary>
    private void EndEpoch()
    {
        _epoch++;
        foreach (IStaleable entry in _trusted)
        {
            entry.MarkStale();
        }

        _trusted.Clear();
    }
}
