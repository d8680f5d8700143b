namespace NoDb.Storage;

/// <summary>
/// What identifies one version of a file: its inode, size, modification and change times (nanoseconds). Every NoDb commit
/// renames a new inode into place, and any other write changes the change time (which, unlike the modification time,
/// cannot be set back by hand), so a different stamp means someone changed the file. The device number is left out: it
/// differs between machines that mount the same shared disk.
/// </summary>
internal readonly record struct FileStamp(ulong Inode, long Length, long ModifiedNanoseconds, long ChangedNanoseconds, int Mode, uint OwnerId)
{
    /// <summary>Whether the file is a regular file (not a link, a pipe, a device or a folder).</summary>
    public bool IsRegularFile => FileStatus.IsRegular(Mode);

    /// <summary>Whether the name is a symbolic link.</summary>
    public bool IsLink => FileStatus.IsLink(Mode);

    /// <summary>The permission bits (rwx for owner, group and others, plus setgid and sticky), without the file type.</summary>
    public int Permissions => Mode & 0xFFF;

    /// <summary>Whether <paramref name="other"/> is the same version of the same file.</summary>
    public bool SameVersion(FileStamp other) =>
        Inode == other.Inode && Length == other.Length && ModifiedNanoseconds == other.ModifiedNanoseconds && ChangedNanoseconds == other.ChangedNanoseconds;

    /// <summary>The stamp as text, for cache entries: "inode:length:mtime:ctime".</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Inode}:{Length}:{ModifiedNanoseconds}:{ChangedNanoseconds}");
}
