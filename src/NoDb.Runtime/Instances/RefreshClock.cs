namespace NoDb.Instances;

/// <summary>
/// An epoch that a timer advances every <see cref="NoDbOptions.RefreshInterval"/>. A cached instance checked in the current
/// epoch is served without I/O or a clock read; the first use in a new epoch looks at the disk. One per engine.
/// </summary>
internal sealed class RefreshClock : IDisposable
{
    private readonly ITimer? _timer;
    private readonly bool _alwaysCheck;
    private int _epoch = 1;

    public RefreshClock(TimeSpan interval, TimeProvider time)
    {
        _alwaysCheck = interval == TimeSpan.Zero;
        if (interval > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(static state => ((RefreshClock)state!).Tick(), this, interval, interval);
        }
    }

    /// <summary>The current epoch.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>
    /// The epoch to record for a check that starts now (read before the check, so that a tick during it does not stretch
    /// the trust): one that never matches when every call must check.
    /// </summary>
    public int EpochForCheck => _alwaysCheck ? Epoch - 1 : Epoch;

    public void Dispose() => _timer?.Dispose();

    private void Tick() => Interlocked.Increment(ref _epoch);
}
