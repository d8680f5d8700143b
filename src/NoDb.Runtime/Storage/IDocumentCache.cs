using NoDb.Locking;

namespace NoDb.Storage;

/// <summary>
/// A shared cache of committed documents with change notification, offered by backends that span processes (Redis).
/// The disk stays the truth: the cache only spares a cold process a read, and notices only tell it to look again.
/// </summary>
internal interface IDocumentCache
{
    /// <summary>
    /// The cached document if it is this run's, signed by it, the version on disk now, and as new as the disk says the
    /// last acquisition was; otherwise <see langword="null"/>.
    /// </summary>
    byte[]? TryRead(LockTarget target);

    /// <summary>Drops a cached document that could not be read.</summary>
    void Invalidate(LockTarget target);

    /// <summary>Caches a committed document (never over a newer one) and tells other processes it changed. Does not block.</summary>
    void Committed(LockTarget target, RunDirectory run, long fencingNumber, byte[] document, FileStamp? stamp);
}
