namespace NoDb.Instances;

/// <summary>
/// A process-wide epoch that a timer advances every <see cref="NoDbOptions.RefreshInterval"/>. A cached instance
/// checked in the current epoch is served without I/O or a clock read; the first use in a new epoch looks at the disk.
/// </summary>
internal static class RefreshClock
{
    private static readonly object Sync = new();
    private static Timer? s_timer;
    private static int s_epoch;
    private static bool s_alwaysCheck = true;
    private static bool s_started;

    /// <summary>The current epoch.</summary>
    public static int Epoch => Volatile.Read(ref s_epoch);

    /// <summary>
    /// The epoch to record for a check that starts now (read before the check, so that a tick during it does not
    /// stretch the trust): one that never matches when every call must check.
    /// </summary>
    public static int EpochForCheck
    {
        get
        {
            if (!Volatile.Read(ref s_started))
            {
                _ = NoDbRuntime.Options; // the first use of the options starts the clock
            }

            return Volatile.Read(ref s_alwaysCheck) ? Epoch - 1 : Epoch;
        }
    }

    public static void Start(TimeSpan interval)
    {
        lock (Sync)
        {
            s_timer?.Dispose();
            s_timer = null;
            Volatile.Write(ref s_alwaysCheck, interval == TimeSpan.Zero);
            Volatile.Write(ref s_started, true);
            Interlocked.Increment(ref s_epoch);
            if (interval > TimeSpan.Zero)
            {
                s_timer = new Timer(static _ => Interlocked.Increment(ref s_epoch), null, interval, interval);
            }
        }
    }
}
