using System.Buffers.Text;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using NoDb.Storage;

namespace NoDb.Locking.FileLocks;

/// <summary>
/// The fencing counter of one document, kept in <c>.nodb/&lt;file&gt;.fence</c> beside it so that it survives restarts.
/// Changes run under the file's own short exclusive lock, separate from the document lock, so a clear can move the counter
/// while a holder still has the document lock, and a commit can check it and write atomically. That lock is only ever
/// tried, never waited for in the kernel: a process frozen while it holds it (SIGSTOP, a paused VM) makes others wait
/// with a timeout and their cancellation token, not forever, and no thread is held while they wait.
/// </summary>
internal static class FenceFile
{
    public const string Suffix = ".fence";

    /// <summary>
    /// How long a try-lock waits for the fence file's short lock: long enough to ride over another process's fence change
    /// or commit, short enough to still answer "not free now" at once.
    /// </summary>
    public static readonly TimeSpan TryLockPatience = TimeSpan.FromMilliseconds(50);

    private const int Width = 20;
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Issues the next fencing number: the larger of the last one plus one and the clock in microseconds. A counter that is
    /// deleted therefore restarts above every number issued before (an acquisition takes far longer than a microsecond).
    /// </summary>
    public static ValueTask<long> NextAsync(RunStateFolder folder, string fileName, FenceWait wait) =>
        WithLockAsync(folder, fileName, wait, handle =>
        {
            long last = Read(handle);
            if (last == long.MaxValue)
            {
                throw new IOException(
                    $"The fence counter '{folder.PathOf(fileName + Suffix)}' is at its largest value ({long.MaxValue}); no newer " +
                    "fencing number can be issued. Delete the file to restart it from the clock.");
            }

            long next = Math.Max(last + 1, ClockFloor());
            Write(handle, next);
            return next;
        });

    /// <summary>
    /// Records that <paramref name="fencingNumber"/> (issued elsewhere, by Redis) has reached this storage: later writes
    /// with smaller numbers are refused. Never lowers the counter.
    /// </summary>
    public static ValueTask<long> RaiseAsync(RunStateFolder folder, string fileName, long fencingNumber, FenceWait wait) =>
        WithLockAsync(folder, fileName, wait, handle =>
        {
            long current = Read(handle);
            if (fencingNumber > current)
            {
                Write(handle, fencingNumber);
                return fencingNumber;
            }

            return current;
        });

    /// <summary>Runs <paramref name="action"/> if <paramref name="fencingNumber"/> is still the last issued number; the counter cannot move meanwhile.</summary>
    public static ValueTask<bool> RunIfCurrentAsync(RunStateFolder folder, string fileName, long fencingNumber, FenceWait wait, Action action) =>
        WithLockAsync(folder, fileName, wait, handle =>
        {
            if (Read(handle) != fencingNumber)
            {
                return false;
            }

            action();
            return true;
        });

    /// <summary>The last number issued, read under the fence lock (0 if none); waits as <paramref name="wait"/> allows.</summary>
    public static ValueTask<long> CurrentAsync(RunStateFolder folder, string fileName, FenceWait wait) =>
        WithLockAsync(folder, fileName, wait, Read);

    /// <summary>The last number issued, read without creating or locking the file (a read that cannot tear: one small pwrite); 0 if none.</summary>
    public static long Peek(RunStateFolder folder, string fileName)
    {
        using SafeFileHandle? handle = folder.OpenExisting(fileName + Suffix);
        return handle is null ? 0 : Read(handle);
    }

    /// <summary>
    /// The clock in microseconds: a floor for new fencing numbers, so that they grow even after every counter was lost.
    /// Always the real clock, never <see cref="NoDbOptions.TimeProvider"/>: the numbers are compared across processes.
    /// </summary>
    public static long ClockFloor() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000);

    private static async ValueTask<T> WithLockAsync<T>(RunStateFolder folder, string fileName, FenceWait wait, Func<SafeFileHandle, T> body)
    {
        string path = folder.PathOf(fileName + Suffix);
        SafeFileHandle handle = folder.OpenOrCreate(fileName + Suffix);
        try
        {
            // The limit is the caller's lock timeout, on the engine's clock; the pauses between tries are real time,
            // since they only space out retries of a kernel lock that is held for microseconds to milliseconds.
            long started = wait.Clock.GetTimestamp();
            TimeSpan pause = TimeSpan.FromMilliseconds(1);
            while (!UnixNative.TryLockExclusive(handle, path))
            {
                wait.CancellationToken.ThrowIfCancellationRequested();
                if (wait.Limit != Timeout.InfiniteTimeSpan && wait.Clock.GetElapsedTime(started) >= wait.Limit)
                {
                    throw new FenceBusyException(path, wait.Limit);
                }

                // Held for a few microseconds by a fence change, or for a commit's write and fsync: back off briefly.
                pause = await wait.PauseAsync(pause, LongestPause).ConfigureAwait(false);
            }

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
        value.TryFormat(buffer, out _, "D20", CultureInfo.InvariantCulture);
        buffer[Width] = (byte)'\n';
        RandomAccess.Write(handle, buffer, 0);
    }
}

/// <summary>How long a fence change may wait for the fence file's lock, and whether the caller may block its thread.</summary>
/// <param name="Limit">The longest wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
/// <param name="Synchronous">Whether the caller is a synchronous API (it sleeps on its own thread instead of awaiting).</param>
/// <param name="CancellationToken">Ends the wait.</param>
/// <param name="Time">The clock of the limit; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
internal readonly record struct FenceWait(TimeSpan Limit, bool Synchronous, CancellationToken CancellationToken, TimeProvider? Time = null)
{
    /// <summary>The clock that measures <see cref="Limit"/> (the engine's <see cref="NoDbOptions.TimeProvider"/>).</summary>
    public TimeProvider Clock => Time ?? TimeProvider.System;

    /// <summary>
    /// Pauses between two tries for <paramref name="pause"/> of real time (the limit is on <see cref="Clock"/>; the pause
    /// only spaces the tries out), sleeping the thread of a synchronous caller; returns the next, doubled pause, at most
    /// <paramref name="longest"/>.
    /// </summary>
    public async ValueTask<TimeSpan> PauseAsync(TimeSpan pause, TimeSpan longest)
    {
        if (Synchronous)
        {
            Thread.Sleep(pause);
        }
        else
        {
            await Task.Delay(pause, CancellationToken).ConfigureAwait(false);
        }

        return pause * 2 < longest ? pause * 2 : longest;
    }
}

/// <summary>The fence file stayed locked by another process for longer than the wait allowed.</summary>
internal sealed class FenceBusyException(string path, TimeSpan limit) : TimeoutException(
    $"The fence file '{path}' stayed locked by another process for {limit.TotalSeconds:0.###} s. A process may be frozen " +
    "in the middle of a commit (stopped with SIGSTOP, or in a paused VM); it cannot write once its lock is taken, but it " +
    "keeps this short lock until it resumes or is killed. Nothing was written.");
