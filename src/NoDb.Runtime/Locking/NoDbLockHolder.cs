namespace NoDb;

/// <summary>Who holds one controller lock of a run, as <see cref="NoDbRuntime.GetLockHoldersAsync"/> reports it.</summary>
/// <param name="FilePath">The document whose lock is held.</param>
/// <param name="Host">The machine of the holding process.</param>
/// <param name="ProcessId">The holding process.</param>
/// <param name="Acquired">When the lock was taken.</param>
/// <param name="Expires">When the lease runs out unless renewed (Redis); <see langword="null"/> for OS locks, which end with the holder.</param>
/// <param name="FencingNumber">The holder's fencing number.</param>
public sealed record NoDbLockHolder(string FilePath, string Host, int ProcessId, DateTimeOffset Acquired, DateTimeOffset? Expires, long FencingNumber)
{
    /// <summary>Parses "host|pid|acquired unix ms|…|fence" (the holder record both backends keep); <see langword="null"/> if malformed.</summary>
    internal static NoDbLockHolder? Parse(string filePath, string record, DateTimeOffset? expires)
    {
        string[] parts = record.Trim().Split('|');
        return parts.Length >= 4 && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ms)
               && ms is >= 0 and <= 253402300799999
               && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
               && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long acquired)
               && long.TryParse(parts[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long fence)
            ? new NoDbLockHolder(filePath, parts[0], pid, DateTimeOffset.FromUnixTimeMilliseconds(acquired), expires, fence)
            : null;
    }
}
