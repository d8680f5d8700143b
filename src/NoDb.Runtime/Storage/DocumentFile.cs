namespace NoDb.Storage;

/// <summary>Reads a document from disk, refusing links that could lead outside the working directory.</summary>
internal static class DocumentFile
{
    /// <summary>The document's bytes, or <see langword="null"/> when it does not exist.</summary>
    public static byte[]? TryRead(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        if (info.LinkTarget is not null)
        {
            throw new IOException(
                $"'{path}' is a symbolic link (to '{info.LinkTarget}'). NoDb documents must be regular files inside the " +
                "working directory; replace the link with the file itself.");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A cheap fingerprint of the file (size and write time), or <see langword="null"/> when it does not exist.</summary>
    public static DiskStamp? Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new DiskStamp(info.Length, info.LastWriteTimeUtc.Ticks, info.CreationTimeUtc.Ticks) : null;
    }
}

/// <summary>
/// Size, write time and creation time of a document: what the cache checks before reading it again. Every commit
/// renames a new file into place, so the creation (birth) time changes even when size and write time do not.
/// </summary>
internal readonly record struct DiskStamp(long Length, long LastWriteTicks, long CreationTicks);
