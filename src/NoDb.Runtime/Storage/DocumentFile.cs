using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>Reads a document from a descriptor opened inside its run, never through a link, with the stamp of what was read.</summary>
internal static class DocumentFile
{
    private const int MaxAttempts = 8;

    /// <summary>
    /// The document's bytes and the stamp of exactly that version, or <see langword="null"/> when it does not exist. A write
    /// in place that lands during the read is noticed (the stamp moved) and the read is repeated.
    /// </summary>
    /// <exception cref="IOException">A link, a pipe or a device is where the document should be, or it cannot be read.</exception>
    public static (byte[] Bytes, FileStamp Stamp)? TryRead(RunDirectory run, string fileName)
    {
        string path = run.PathOf(fileName);
        for (int attempt = 0; ; attempt++)
        {
            using SafeFileHandle? handle = UnixNative.OpenExistingForReadAt(run.Handle, fileName, path);
            if (handle is null)
            {
                return null;
            }

            FileStamp before = UnixNative.Stamp(handle, path);
            byte[] bytes = ReadAll(handle, before.Length);
            FileStamp after = UnixNative.Stamp(handle, path);
            if (after.SameVersion(before) || attempt == MaxAttempts)
            {
                return (bytes, after);
            }
        }
    }

    /// <summary>Opens the run and reads the document; <see langword="null"/> if the run or the document does not exist.</summary>
    public static (byte[] Bytes, FileStamp Stamp)? TryRead(string workingDirectory, string fileName)
    {
        using RunDirectory? run = RunDirectory.TryOpen(workingDirectory);
        return run is null ? null : TryRead(run, fileName);
    }

    /// <summary>The stamp of the document now (a link counts as a change), or <see langword="null"/> when it does not exist.</summary>
    public static FileStamp? Stamp(string workingDirectory, string fileName)
    {
        using RunDirectory? run = RunDirectory.TryOpen(workingDirectory);
        return run?.StampOf(fileName);
    }

    private static byte[] ReadAll(SafeFileHandle handle, long expectedLength)
    {
        if (expectedLength > Array.MaxLength)
        {
            throw new IOException($"The document is {expectedLength} bytes long, more than NoDb can hold in memory.");
        }

        byte[] buffer = new byte[Math.Max(expectedLength, 0)];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                // It grew while being read: read on until the end.
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, 4096));
            }

            int read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                return total == buffer.Length ? buffer : buffer[..total];
            }

            total += read;
        }
    }
}
