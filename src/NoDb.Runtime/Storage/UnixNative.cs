using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// The few libc calls .NET does not expose: <c>flock</c> on a descriptor .NET has not locked itself,
/// and <c>fsync</c> of a directory.
/// </summary>
/// <remarks>
/// Lock files are opened here rather than through <see cref="FileStream"/> because .NET takes a
/// non-blocking <c>flock</c> of its own on every file it opens on Unix, which would fail while another
/// holder has the exclusive lock.
/// </remarks>
internal static partial class UnixNative
{
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int LOCK_UN = 8;
    private const int EINTR = 4;
    private const int ENOENT = 2;

    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;

    private static readonly bool IsMacOS = OperatingSystem.IsMacOS();

    // Linux numbers some flags differently on Arm and PowerPC than on x86 and the generic ABI (RISC-V, s390x, …).
    private static readonly bool IsLinuxArmLayout = !IsMacOS && RuntimeInformation.ProcessArchitecture
        is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;

    private static readonly int O_CREAT = IsMacOS ? 0x200 : 0x40;
    private static readonly int O_CLOEXEC = IsMacOS ? 0x1000000 : 0x80000;
    private static readonly int O_DIRECTORY = IsMacOS ? 0x100000 : IsLinuxArmLayout ? 0x4000 : 0x10000;
    private static readonly int O_NOFOLLOW = IsMacOS ? 0x100 : IsLinuxArmLayout ? 0x8000 : 0x20000;
    private static readonly int EWOULDBLOCK = IsMacOS ? 35 : 11;
    private static readonly int ELOOP = IsMacOS ? 62 : 40;

    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>
    /// Opens (creating it if missing) a file for reading and writing, closed on exec. A symbolic link is refused: lock and
    /// fence files must not lead outside the working directory.
    /// </summary>
    public static SafeFileHandle OpenOrCreate(string path)
    {
        int fd;
        do
        {
            fd = Open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, Convert.ToInt32("644", 8));
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        if (fd < 0)
        {
            if (Marshal.GetLastPInvokeError() == ELOOP)
            {
                throw new IOException(
                    $"'{path}' is a symbolic link. NoDb's lock and fence files must be regular files inside the working " +
                    "directory; delete the link (NoDb recreates the file).");
            }

            throw IOError($"open '{path}'");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens an existing file for reading, or returns <see langword="null"/> if it does not exist; links are refused.</summary>
    public static SafeFileHandle? OpenExistingForRead(string path)
    {
        int fd;
        do
        {
            fd = Open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError() == ENOENT ? null : throw IOError($"open '{path}'");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Blocks until the exclusive lock is granted. Call on a thread that may block.</summary>
    public static void LockExclusive(SafeFileHandle handle, string path)
    {
        while (Flock(handle, LOCK_EX) != 0)
        {
            if (Marshal.GetLastPInvokeError() != EINTR)
            {
                throw IOError($"flock '{path}'");
            }
        }
    }

    /// <summary>Takes the exclusive lock if it is free; returns <see langword="false"/> if another holder has it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string path)
    {
        while (Flock(handle, LOCK_EX | LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EWOULDBLOCK)
            {
                return false;
            }

            if (errno != EINTR)
            {
                throw IOError($"flock '{path}'");
            }
        }

        return true;
    }

    /// <summary>
    /// Releases the lock, then closes the descriptor. Closing alone is not enough: a child process forked at that moment
    /// (by any code in this process) shares the open file description until it execs, and with it the lock.
    /// </summary>
    public static void UnlockAndClose(SafeFileHandle? handle)
    {
        if (handle is null || handle.IsClosed)
        {
            return;
        }

        _ = Flock(handle, LOCK_UN);
        handle.Dispose();
    }

    /// <summary>Flushes a directory's entries (a rename inside it) to disk.</summary>
    public static void FsyncDirectory(string directory)
    {
        int fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw IOError($"open directory '{directory}'");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Fsync(handle) != 0)
        {
            throw IOError($"fsync directory '{directory}'");
        }
    }

    private static IOException IOError(string operation)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{operation} failed: {new Win32Exception(errno).Message} (errno {errno}).");
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);
}
