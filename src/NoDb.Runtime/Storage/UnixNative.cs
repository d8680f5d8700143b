using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// The libc calls .NET does not expose: <c>flock</c> on a descriptor .NET has not locked itself, and the <c>*at</c> family
/// (<c>openat</c>, <c>mkdirat</c>, <c>renameat</c>, <c>unlinkat</c>, <c>statx</c>) that resolves a name relative to a folder
/// already opened, so that nothing is checked by one path and then used by another.
/// </summary>
/// <remarks>
/// Lock files are opened here rather than through <see cref="FileStream"/> because .NET takes a non-blocking <c>flock</c> of
/// its own on every file it opens on Unix, which would fail while another holder has the exclusive lock.
/// </remarks>
internal static partial class UnixNative
{
    public const int EINTR = 4;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int ENOSPC = 28;

    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int LOCK_UN = 8;

    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_RDWR = 2;

    private static readonly bool IsMacOS = OperatingSystem.IsMacOS();

    // Linux numbers some flags differently on Arm and PowerPC than on x86 and the generic ABI (RISC-V, s390x, …).
    private static readonly bool IsLinuxArmLayout = !IsMacOS && RuntimeInformation.ProcessArchitecture
        is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;

    private static readonly int O_CREAT = IsMacOS ? 0x200 : 0x40;
    private static readonly int O_EXCL = IsMacOS ? 0x800 : 0x80;
    private static readonly int O_NONBLOCK = IsMacOS ? 0x4 : 0x800;
    private static readonly int O_CLOEXEC = IsMacOS ? 0x1000000 : 0x80000;
    private static readonly int O_DIRECTORY = IsMacOS ? 0x100000 : IsLinuxArmLayout ? 0x4000 : 0x10000;
    private static readonly int O_NOFOLLOW = IsMacOS ? 0x100 : IsLinuxArmLayout ? 0x8000 : 0x20000;
    private static readonly int AT_FDCWD = IsMacOS ? -2 : -100;
    private static readonly int AT_SYMLINK_NOFOLLOW = IsMacOS ? 0x20 : 0x100;
    private static readonly int EWOULDBLOCK = IsMacOS ? 35 : 11;
    public static readonly int ELOOP = IsMacOS ? 62 : 40;

    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>Opens a folder the caller named (links in its path are followed: the path is the caller's own choice).</summary>
    public static SafeFileHandle OpenDirectory(string path)
    {
        int fd = Retry(() => Open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Error($"open folder '{path}'", path);
    }

    /// <summary>
    /// Opens the folder <paramref name="name"/> inside <paramref name="parent"/> without following a link, or returns
    /// <see langword="null"/> if there is none. A link or a non-folder in its place is refused with an <see cref="IOException"/>.
    /// </summary>
    public static SafeFileHandle? OpenChildDirectory(SafeFileHandle parent, string name, string displayPath)
    {
        int fd = Retry(() => OpenAt(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENOENT)
        {
            return null;
        }

        if (errno == ELOOP || errno == ENOTDIR)
        {
            throw new IOException(
                $"'{displayPath}' is a symbolic link or not a folder. NoDb keeps its lock and fence files in a real folder inside " +
                "the working directory and never follows a link there; remove it (NoDb creates the folder again).");
        }

        throw ErrorFrom(errno, $"open folder '{displayPath}'");
    }

    /// <summary>Creates the folder <paramref name="name"/> inside <paramref name="parent"/> if it is missing (mode 0777 less the umask).</summary>
    public static void CreateChildDirectory(SafeFileHandle parent, string name, string displayPath)
    {
        if (Retry(() => MkdirAt(parent, name, Convert.ToInt32("777", 8))) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EEXIST)
        {
            throw ErrorFrom(errno, $"create folder '{displayPath}'");
        }
    }

    /// <summary>
    /// Opens (creating it if missing) the regular file <paramref name="name"/> inside <paramref name="folder"/> for reading and
    /// writing, closed on exec. A link is refused: lock and fence files must not lead anywhere else.
    /// </summary>
    public static SafeFileHandle OpenOrCreateAt(SafeFileHandle folder, string name, string displayPath)
    {
        // 0666 less the umask, as documents: a run shared by a group's accounts (umask 002) works for all of them.
        int fd = Retry(() => OpenAt(folder, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, Convert.ToInt32("666", 8)));
        if (fd < 0)
        {
            throw LinkAware(Marshal.GetLastPInvokeError(), $"open '{displayPath}'", displayPath, "delete the link (NoDb recreates the file)");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        ThrowIfNotRegular(handle, displayPath);
        return handle;
    }

    /// <summary>Opens the existing regular file <paramref name="name"/> inside <paramref name="folder"/> for reading, or <see langword="null"/>.</summary>
    public static SafeFileHandle? OpenExistingForReadAt(SafeFileHandle folder, string name, string displayPath)
    {
        // O_NONBLOCK: a FIFO planted in place of a document must not block the open.
        int fd = Retry(() => OpenAt(folder, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == ENOENT ? null : throw LinkAware(errno, $"open '{displayPath}'", displayPath, "replace the link with the file itself");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        ThrowIfNotRegular(handle, displayPath);
        return handle;
    }

    /// <summary>Creates a new file that did not exist (never through a link), for writing; the umask narrows <paramref name="mode"/>.</summary>
    public static SafeFileHandle CreateNewAt(SafeFileHandle folder, string name, int mode, string displayPath)
    {
        int fd = Retry(() => OpenAt(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Error($"create '{displayPath}'", displayPath);
    }

    /// <summary>Sets the permission bits of an open file (never a path: a swapped name cannot redirect it).</summary>
    public static void SetMode(SafeFileHandle handle, int mode, string displayPath)
    {
        if (Retry(() => Fchmod(handle, mode)) != 0)
        {
            throw Error($"chmod '{displayPath}'", displayPath);
        }
    }

    /// <summary>Renames <paramref name="from"/> over <paramref name="to"/>, both inside <paramref name="folder"/>: atomic.</summary>
    public static void RenameAt(SafeFileHandle folder, string from, string to, string displayPath)
    {
        if (Retry(() => RenameAtNative(folder, from, folder, to)) != 0)
        {
            throw Error($"rename into '{displayPath}'", displayPath);
        }
    }

    /// <summary>Removes the file or link <paramref name="name"/> inside <paramref name="folder"/>; <see langword="false"/> if it was not there.</summary>
    public static bool UnlinkAt(SafeFileHandle folder, string name, string displayPath)
    {
        if (Retry(() => UnlinkAtNative(folder, name, 0)) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == ENOENT ? false : throw ErrorFrom(errno, $"remove '{displayPath}'");
    }

    /// <summary>
    /// Gives the file <paramref name="from"/> the second name <paramref name="to"/> in the same folder, only if
    /// <paramref name="to"/> does not exist: <see langword="false"/> if it does. An atomic create-if-absent of a whole file.
    /// </summary>
    public static bool LinkNewAt(SafeFileHandle folder, string from, string to, string displayPath)
    {
        if (Retry(() => LinkAtNative(folder, from, folder, to, 0)) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST ? false : throw ErrorFrom(errno, $"link '{displayPath}'");
    }

    /// <summary>The stamp of <paramref name="name"/> inside <paramref name="folder"/> without following a link, or <see langword="null"/>.</summary>
    public static FileStamp? StampAt(SafeFileHandle folder, string name, string displayPath) =>
        FileStatus.At(folder, name, AT_SYMLINK_NOFOLLOW, displayPath);

    /// <summary>The stamp of an open file.</summary>
    public static FileStamp Stamp(SafeFileHandle handle, string displayPath) =>
        FileStatus.Of(handle, displayPath);

    /// <summary>Blocks until the exclusive lock is granted. Call on a thread that may block.</summary>
    public static void LockExclusive(SafeFileHandle handle, string path)
    {
        while (Flock(handle, LOCK_EX) != 0)
        {
            if (Marshal.GetLastPInvokeError() != EINTR)
            {
                throw Error($"flock '{path}'", path);
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
                throw ErrorFrom(errno, $"flock '{path}'");
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

    /// <summary>Flushes an open file or folder to disk.</summary>
    public static void Fsync(SafeFileHandle handle, string displayPath)
    {
        if (Retry(() => FsyncNative(handle)) != 0)
        {
            throw Error($"fsync '{displayPath}'", displayPath);
        }
    }

    /// <summary>Flushes a directory's entries (a rename inside it) to disk.</summary>
    public static void FsyncDirectory(string directory)
    {
        using SafeFileHandle handle = OpenDirectory(directory);
        Fsync(handle, directory);
    }

    internal static int AtFdCwd => AT_FDCWD;

    private static void ThrowIfNotRegular(SafeFileHandle handle, string displayPath)
    {
        bool regular;
        try
        {
            regular = FileStatus.Of(handle, displayPath).IsRegularFile;
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        if (!regular)
        {
            handle.Dispose();
            throw new IOException(
                $"'{displayPath}' is not a regular file (a device, a pipe or a socket is in its place). NoDb reads and writes only " +
                "regular files; remove what is there.");
        }
    }

    private static int Retry(Func<int> call)
    {
        int result;
        do
        {
            result = call();
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == EINTR);

        return result;
    }

    private static IOException LinkAware(int errno, string operation, string displayPath, string remedy) =>
        errno == ELOOP
            ? new IOException(
                $"'{displayPath}' is a symbolic link. NoDb never follows a link inside a working directory; {remedy}.")
            : ErrorFrom(errno, operation);

    private static IOException Error(string operation, string displayPath)
    {
        _ = displayPath;
        return ErrorFrom(Marshal.GetLastPInvokeError(), operation);
    }

    internal static IOException ErrorFrom(int errno, string operation) =>
        errno == ENOSPC
            ? new IOException($"{operation} failed: the disk is full (errno {errno}). Nothing was replaced; free space and retry.")
            : new IOException($"{operation} failed: {new Win32Exception(errno).Message} (errno {errno}).");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(SafeFileHandle dirfd, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirAt(SafeFileHandle dirfd, string path, int mode);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAtNative(SafeFileHandle olddirfd, string oldpath, SafeFileHandle newdirfd, string newpath);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkAtNative(SafeFileHandle dirfd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkAtNative(SafeFileHandle olddirfd, string oldpath, SafeFileHandle newdirfd, string newpath, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int Fchmod(SafeFileHandle fd, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(SafeFileHandle fd);
}
