using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// The fencing counter of one document, kept in <c>.nodb/&lt;file&gt;.fence</c> beside it so that it survives restarts.
/// Every operation runs under the file's own short exclusive lock, separate from the document lock, so a clear can
/// move the counter while a holder still has the document lock, and a commit can check it and write atomically.
/// </summary>
internal static class FenceFile
{
    private const int Width = 20;

    /// <summary>
    /// Issues the next fencing number: the larger of the last one plus one and the clock in microseconds. A counter that is
    /// deleted therefore restarts above every number issued before (an acquisition takes far longer than a microsecond).
    /// </summary>
    public static long Next(string path) => WithLock(path, handle =>
    {
        long next = Math.Max(Read(handle) + 1, ClockFloor());
        Write(handle, next);
        return next;
    });

    /// <summary>
    /// Records that <paramref name="fencingNumber"/> (issued elsewhere, by Redis) has reached this storage: later writes
    /// with smaller numbers are refused. Never lowers the counter.
    /// </summary>
    public static long Raise(string path, long fencingNumber) => WithLock(path, handle =>
    {
        long current = Read(handle);
        if (fencingNumber > current)
        {
            Write(handle, fencingNumber);
            return fencingNumber;
        }

        return current;
    });

    /// <summary>The last number issued, read without creating or locking the file (a read that cannot tear: one small pwrite); 0 if none.</summary>
    public static long Peek(string path)
    {
        using SafeFileHandle? handle = UnixNative.OpenExistingForRead(path);
        return handle is null ? 0 : Read(handle);
    }

    /// <summary>The clock in microseconds: a floor for new fencing numbers, so that they grow even after every counter was lost.</summary>
    public static long ClockFloor() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000);

    /// <summary>The last number issued (0 if none).</summary>
    public static long Current(string path) => WithLock(path, Read);

    /// <summary>Runs <paramref name="action"/> if <paramref name="fencingNumber"/> is still the last issued number; the counter cannot move meanwhile.</summary>
    public static bool RunIfCurrent(string path, long fencingNumber, Action action) => WithLock(path, handle =>
    {
        if (Read(handle) != fencingNumber)
        {
            return false;
        }

        action();
        return true;
    });

    private static T WithLock<T>(string path, Func<SafeFileHandle, T> body)
    {
        SafeFileHandle handle = UnixNative.OpenOrCreate(path);
        try
        {
            UnixNative.LockExclusive(handle, path);
            return body(handle);
        }
        finally
        {
            UnixNative.UnlockAndClose(handle);
        }
    }

    private static long Read(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[Width + 1];
        int read = RandomAccess.Read(handle, buffer, 0);

        // A missing or torn counter (only a power loss mid-write can tear it) reads as 0; Next then seeds it from the clock.
        return Utf8Parser.TryParse(buffer[..read], out long value, out _) && value >= 0 ? value : 0;
    }

    private static void Write(SafeFileHandle handle, long value)
    {
        Span<byte> buffer = stackalloc byte[Width + 1];
        value.TryFormat(buffer, out _, "D20", System.Globalization.CultureInfo.InvariantCulture);
        buffer[Width] = (byte)'\n';
        RandomAccess.Write(handle, buffer, 0);
    }
}
