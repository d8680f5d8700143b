using NoDb.Engine;

namespace NoDb.Instances;

/// <summary>
/// The cached instances of one engine by document identity (run identity and file name), so that a change notice from
/// another process can mark one stale. Held weakly: an instance nobody uses is not kept for its notices.
/// </summary>
internal sealed class InstanceDirectory
{
    private readonly WeakRegistry<IStaleable> _entries = new();

    public void Register(string identity, IStaleable entry) => _entries.Set(identity, entry);

    /// <summary>Another process committed the document named <paramref name="identity"/>: the next use looks at the disk again.</summary>
    public void MarkStale(string identity) => _entries.Find(identity)?.MarkStale();
}

/// <summary>A cached instance that is trusted without a disk check until it is told to look again.</summary>
internal interface IStaleable
{
    /// <summary>The <see cref="RefreshClock"/> epoch whose list holds this entry (read and written under the clock's lock).</summary>
    int EnlistedEpoch { get; set; }

    /// <summary>The refresh epoch ended, or the document changed elsewhere: the next use looks at the disk.</summary>
    void MarkStale();
}
