using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// Replaces a document so that a reader sees either the old content or the new one, never a mix or an empty file: write a
/// temp file in the same folder (created new, never through a link), set its mode on the descriptor, flush it to disk,
/// rename it over the document, then flush the folder so the rename itself survives a crash. Every name is resolved
/// relative to the open run directory.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>The mode of a new document before the umask: <c>0666 &amp; ~umask</c>, like any file the process creates.</summary>
    private static readonly int NewFileMode = Convert.ToInt32("666", 8);

    private static readonly int PrivateMode = Convert.ToInt32("600", 8);

    /// <summary>
    /// Replaces <paramref name="fileName"/> in <paramref name="run"/>: once this returns, readers see the new content (the
    /// rename is durable after <see cref="RunDirectory.Flush"/>). Throws, having changed nothing, if it could not. Temp files
    /// of this document left by writers that died are removed first: the caller holds the document's fence lock, so no
    /// live writer can be using one.
    /// </summary>
    /// <param name="run">The open working directory.</param>
    /// <param name="fileName">The document's file name.</param>
    /// <param name="content">The new content.</param>
    /// <param name="existing">The document's stamp now (<see langword="null"/> if it does not exist): its mode is kept.</param>
    /// <returns>The stamp of the document just written.</returns>
    public static FileStamp? Replace(RunDirectory run, string fileName, ReadOnlySpan<byte> content, FileStamp? existing)
    {
        string path = run.PathOf(fileName);
        if (existing is { IsRegularFile: false } other)
        {
            throw new IOException(
                other.IsLink
                    ? $"'{path}' is a symbolic link. NoDb never writes through a link inside a working directory; replace the link with the file itself."
                    : $"'{path}' is not a regular file; NoDb writes only regular files. Remove what is there.");
        }

        RemoveLitter(run, fileName);
        string temp = TempName(fileName);
        string tempPath = run.PathOf(temp);
        try
        {
            using (SafeFileHandle handle = UnixNative.CreateNewAt(run.Handle, temp, existing is null ? NewFileMode : PrivateMode, tempPath))
            {
                if (existing is { } kept)
                {
                    UnixNative.SetMode(handle, kept.Permissions, tempPath);
                }

                RandomAccess.Write(handle, content, 0);
                UnixNative.Fsync(handle, tempPath);
            }

            UnixNative.RenameAt(run.Handle, temp, fileName, path);
        }
        catch
        {
            TryRemove(run, temp, tempPath);
            throw;
        }

        // The rename is the commit point: from here on the write has happened, whatever fails.
        try
        {
            return run.StampOf(fileName);
        }
        catch (IOException)
        {
            return null; // unknown: the next check reads the document again
        }
    }

    /// <summary>Writes and flushes a whole file at <paramref name="path"/> (its folder must exist): for tools and tests.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        string directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        using RunDirectory run = RunDirectory.Open(directory);
        string name = Path.GetFileName(path);
        Replace(run, name, content, run.StampOf(name));
        run.Flush();
    }

    /// <summary>Whether <paramref name="name"/> is a temp file NoDb's writer makes for <paramref name="fileName"/>.</summary>
    public static bool IsTempFileOf(string name, string fileName) =>
        name.Length == fileName.Length + TempSuffixLength + 2 && name[0] == '.' &&
        name.AsSpan(1).StartsWith(fileName, StringComparison.Ordinal) && TempPattern().IsMatch(name.AsSpan(fileName.Length + 1));

    /// <summary>Whether <paramref name="name"/> looks like any document's temp file (for sweeps of whole runs).</summary>
    public static bool IsTempFile(string name) =>
        name.Length > TempSuffixLength + 2 && name[0] == '.' && TempPattern().IsMatch(name.AsSpan(name.Length - TempSuffixLength - 1));

    /// <summary>
    /// Removes temp files of documents in <paramref name="run"/> last changed before <paramref name="olderThan"/>: for a sweep
    /// of runs whose documents are not written again. A writer takes well under a second, so a temp file minutes old is litter.
    /// </summary>
    public static int SweepLitter(RunDirectory run, DateTimeOffset olderThan)
    {
        int removed = 0;
        long limit = (olderThan - DateTimeOffset.UnixEpoch).Ticks * 100;
        foreach (string entry in Directory.EnumerateFileSystemEntries(run.Path, ".*.tmp"))
        {
            string name = Path.GetFileName(entry);
            if (IsTempFile(name) && run.StampOf(name) is { IsRegularFile: true } stamp && stamp.ChangedNanoseconds < limit &&
                TryRemove(run, name, entry))
            {
                removed++;
            }
        }

        return removed;
    }

    private const int TempSuffixLength = 32 + 4; // ".<32 hex>.tmp" after the document name's dot

    private static string TempName(string fileName) => $".{fileName}.{Guid.NewGuid():N}.tmp";

    [GeneratedRegex("^\\.[0-9a-f]{32}\\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempPattern();

    private static void RemoveLitter(RunDirectory run, string fileName)
    {
        string prefix = "." + fileName + ".";
        foreach (string entry in Directory.EnumerateFileSystemEntries(run.Path, prefix + "*.tmp"))
        {
            string name = Path.GetFileName(entry);
            if (IsTempFileOf(name, fileName))
            {
                TryRemove(run, name, entry);
            }
        }
    }

    private static bool TryRemove(RunDirectory run, string name, string displayPath)
    {
        try
        {
            return UnixNative.UnlinkAt(run.Handle, name, displayPath);
        }
        catch (IOException)
        {
            // Litter is harmless: its name can never be mistaken for a document, and a later commit or sweep removes it.
            return false;
        }
    }
}
