using System.Collections.Concurrent;

namespace NoDb.Instances;

/// <summary>The cached instances of this process by document identity (run id and file name), so that a change notice can mark one stale.</summary>
internal static class InstanceDirectory
{
    private static readonly ConcurrentDictionary<string, IStaleable> Entries = new(StringComparer.Ordinal);

    public static void Register(string identity, IStaleable entry) => Entries[identity] = entry;

    /// <summary>Another process committed the document named <paramref name="identity"/>: the next use looks at the disk again.</summary>
    public static void MarkStale(string identity)
    {
        if (Entries.TryGetValue(identity, out IStaleable? entry))
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
