using System.Collections.Concurrent;

namespace NoDb.Instances;

/// <summary>The cached instances of this process by document path, so that a change notice can mark one stale.</summary>
internal static class InstanceDirectory
{
    private static readonly ConcurrentDictionary<string, IStaleable> Entries = new(StringComparer.Ordinal);

    public static void Register(string documentPath, IStaleable entry) => Entries[documentPath] = entry;

    /// <summary>Another process committed <paramref name="documentPath"/>: the next use looks at the disk again.</summary>
    public static void MarkStale(string documentPath)
    {
        if (Entries.TryGetValue(documentPath, out IStaleable? entry))
        {
            entry.MarkStale();
        }
    }
}

/// <summary>A cached instance that can be told its document changed elsewhere.</summary>
internal interface IStaleable
{
    void MarkStale();
}
