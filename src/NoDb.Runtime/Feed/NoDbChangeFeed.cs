using NoDb.Storage;

namespace NoDb;

/// <summary>
/// A live feed of one run's lock and commit events, on both backends, for a web UI that pushes progress or an operator's
/// <c>nodb watch</c>.
/// </summary>
public static class NoDbChangeFeed
{
    /// <summary>
    /// The events of the run in <paramref name="workingDirectory"/>, starting with <see cref="NoDbRunEventKind.Watching"/>
    /// and one <see cref="NoDbRunEventKind.Held"/> per lock held at the start, until <paramref name="cancellationToken"/>
    /// ends the feed (the enumeration then throws <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <remarks>
    /// Commits come from Redis change notices on the Redis backend (they reach every machine) and from file-system events
    /// on the embedded one. Lock changes are found by re-reading the run's holders whenever an event hints at one (a change
    /// in the run's <c>.nodb</c> folder, a Redis release notice) and, for what no event reports (the release of an OS lock,
    /// an acquisition through Redis on another machine), a few times a second. A lock taken and released between two
    /// readings may go unreported; its commit never does. The feed uses the runtime configured when it starts.
    /// </remarks>
    /// <param name="workingDirectory">The run directory.</param>
    /// <param name="cancellationToken">Ends the feed.</param>
    /// <returns>The events, in the order seen.</returns>
    /// <exception cref="DirectoryNotFoundException">The run directory does not exist.</exception>
    public static IAsyncEnumerable<NoDbRunEvent> WatchAsync(string workingDirectory, CancellationToken cancellationToken = default)
    {
        string directory = NoDbPaths.NormalizeWorkingDirectory(workingDirectory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The working directory '{directory}' does not exist. Pass the directory of a run.");
        }

        return new Feed.RunWatcher(directory, NoDbRuntime.Engine).WatchAsync(cancellationToken);
    }
}
