using System.Runtime.InteropServices;

namespace NoDb.Benchmarks;

/// <summary>
/// What the cheapest correct code does, written here with plain .NET and libc calls, never with NoDb's own code: the floors
/// NoDb's figures are compared to.
/// </summary>
internal static partial class Floors
{
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_UN = 8;

    /// <summary>Open a lock file, take its exclusive flock, release it, close it: the least any cross-process file lock costs.</summary>
    public static void FlockOnce(string path)
    {
        int fd = Open(path, O_RDWR | O_CREAT | O_CLOEXEC, Convert.ToInt32("644", 8));
        if (fd < 0 || Flock(fd, LOCK_EX) != 0)
        {
            throw new IOException($"flock floor failed (errno {Marshal.GetLastPInvokeError()})");
        }

        _ = Flock(fd, LOCK_UN);
        _ = Close(fd);
    }

    /// <summary>Write a temp file, fsync it, rename it over the target, fsync the folder: the least a durable atomic write costs.</summary>
    public static void DurableReplace(string path, ReadOnlySpan<byte> content)
    {
        string temp = path + ".floor.tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0 }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        int fd = Open(Path.GetDirectoryName(path)!, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
