using System.Collections.Concurrent;
using NoDb.Locking;

namespace NoDb.Instances;

/// <summary>The working directories this process has opened, by run id, so that a run's locks can be cleared by id.</summary>
internal static class KnownRuns
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> ByRunId = new(StringComparer.Ordinal);

    public static void Add(LockTarget target) =>
        ByRunId.GetOrAdd(target.RunId, static _ => new(StringComparer.Ordinal)).TryAdd(target.WorkingDirectory, 0);

    public static IReadOnlyCollection<string> WorkingDirectories(string runId) =>
        ByRunId.TryGetValue(runId, out var directories) ? directories.Keys.ToArray() : [];
}
