using System.Collections.Concurrent;

namespace NoDb.Locking.Redis;

/// <summary>
/// Releases sent by a synchronous dispose, which does not wait for Redis's reply. A process that exits right after would
/// drop them with its connection and leave its lease behind for a whole lease duration; so at process exit the ones still
/// in flight are given a bounded time to reach Redis.
/// </summary>
internal static class PendingReleases
{
    /// <summary>How long process exit waits for releases still in flight; a longer-lost one runs out with its lease.</summary>
    public static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<Task, byte> InFlight = new();
    private static int s_hooked;

    public static void Track(Task release)
    {
        if (release.IsCompleted)
        {
            return;
        }

        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => Flush(ExitWait);
        }

        InFlight.TryAdd(release, 0);
        _ = release.ContinueWith(static t => InFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the releases in flight. Blocking is the point here: it runs in the process's
    /// exit handler, after which nothing would carry the replies.
    /// </summary>
    public static bool Flush(TimeSpan wait)
    {
        Task[] pending = [.. InFlight.Keys];
        try
        {
            return pending.Length == 0 || Task.WaitAll(pending, wait);
        }
        catch (AggregateException)
        {
            return true; // a release that failed was not going to reach Redis; its lease runs out by itself
        }
    }
}
