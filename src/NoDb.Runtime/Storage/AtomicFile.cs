namespace NoDb.Storage;

/// <summary>
/// Replaces a file so that a reader sees either the old content or the new one, never a mix or an
/// empty file: write a temp file in the same folder, flush it to disk, rename it over the target,
/// then flush the folder so the rename itself survives a crash.
/// </summary>
internal static class AtomicFile
{
    private const UnixFileMode DefaultMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Replaces the file and makes the rename durable.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        Replace(path, content);
        FlushDirectory(path);
    }

    /// <summary>
    /// Replaces the file: once this returns, readers see the new content. The rename is durable only after
    /// <see cref="FlushDirectory"/>.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        string directory = Path.GetDirectoryName(path)
            ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        UnixFileMode mode = ExistingMode(path) ?? DefaultMode;
        string temp = Path.Join(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The process umask narrows the create mode; set it exactly.
                File.SetUnixFileMode(temp, mode);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Flushes the folder of <paramref name="path"/>, so that a rename inside it survives a crash.</summary>
    public static void FlushDirectory(string path)
    {
        if (UnixNative.IsSupported)
        {
            UnixNative.FsyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    private static UnixFileMode? ExistingMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            return File.GetUnixFileMode(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The temp file is named so that it can never be mistaken for a document; leaving it is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
