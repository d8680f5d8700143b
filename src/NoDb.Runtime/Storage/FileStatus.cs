using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// <c>statx</c> (Linux) and <c>fstatat</c> (macOS) of a name relative to an open folder, or of an open file. The layouts of
/// <c>struct statx</c> and Darwin's 64-bit-inode <c>struct stat</c> are the same on every architecture of each system.
/// </summary>
internal static partial class FileStatus
{
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_BASIC_STATS = 0x7ff;
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int S_IFLNK = 0xA000;

    private static readonly bool IsMacOS = OperatingSystem.IsMacOS();
    private static readonly bool IsMacX64 = IsMacOS && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>The stamp of <paramref name="name"/> in <paramref name="folder"/>, or <see langword="null"/> if it does not exist.</summary>
    public static FileStamp? At(SafeFileHandle folder, string name, int flags, string displayPath)
    {
        Span<byte> buffer = stackalloc byte[256];
        int result;
        do
        {
            result = IsMacOS ? MacStatAt(folder, name, buffer, flags) : Statx(folder, name, flags, STATX_BASIC_STATS, buffer);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == UnixNative.EINTR);

        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is UnixNative.ENOENT or UnixNative.ENOTDIR ? null : throw UnixNative.ErrorFrom(errno, $"stat '{displayPath}'");
        }

        return Parse(buffer);
    }

    /// <summary>The stamp of an open file.</summary>
    public static FileStamp Of(SafeFileHandle handle, string displayPath)
    {
        Span<byte> buffer = stackalloc byte[256];
        int result;
        do
        {
            result = IsMacOS ? MacFstat(handle, buffer) : Statx(handle, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, buffer);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == UnixNative.EINTR);

        return result == 0 ? Parse(buffer) : throw UnixNative.ErrorFrom(Marshal.GetLastPInvokeError(), $"stat '{displayPath}'");
    }

    private static FileStamp Parse(ReadOnlySpan<byte> b)
    {
        if (IsMacOS)
        {
            return new FileStamp(
                Inode: BinaryPrimitives.ReadUInt64LittleEndian(b[8..]),
                Length: BinaryPrimitives.ReadInt64LittleEndian(b[96..]),
                ModifiedNanoseconds: Nanoseconds(b[48..]),
                ChangedNanoseconds: Nanoseconds(b[64..]),
                Mode: BinaryPrimitives.ReadUInt16LittleEndian(b[4..]),
                OwnerId: BinaryPrimitives.ReadUInt32LittleEndian(b[16..]));
        }

        return new FileStamp(
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
            Length: BinaryPrimitives.ReadInt64LittleEndian(b[40..]),
            ModifiedNanoseconds: StatxNanoseconds(b[112..]),
            ChangedNanoseconds: StatxNanoseconds(b[96..]),
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(b[28..]),
            OwnerId: BinaryPrimitives.ReadUInt32LittleEndian(b[20..]));
    }

    /// <summary>Whether <paramref name="mode"/> (st_mode) is a regular file.</summary>
    public static bool IsRegular(int mode) => (mode & S_IFMT) == S_IFREG;

    /// <summary>Whether <paramref name="mode"/> (st_mode) is a symbolic link.</summary>
    public static bool IsLink(int mode) => (mode & S_IFMT) == S_IFLNK;

    private static long StatxNanoseconds(ReadOnlySpan<byte> t) =>
        (BinaryPrimitives.ReadInt64LittleEndian(t) * 1_000_000_000L) + BinaryPrimitives.ReadUInt32LittleEndian(t[8..]);

    private static long Nanoseconds(ReadOnlySpan<byte> t) =>
        (BinaryPrimitives.ReadInt64LittleEndian(t) * 1_000_000_000L) + BinaryPrimitives.ReadInt64LittleEndian(t[8..]);

    private static int MacStatAt(SafeFileHandle folder, string name, Span<byte> buffer, int flags) =>
        IsMacX64 ? FstatAtInode64(folder, name, buffer, flags) : FstatAt(folder, name, buffer, flags);

    private static int MacFstat(SafeFileHandle handle, Span<byte> buffer) =>
        IsMacX64 ? FstatInode64(handle, buffer) : Fstat(handle, buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(SafeFileHandle dirfd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "fstatat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FstatAt(SafeFileHandle dirfd, string path, Span<byte> buffer, int flags);

    [LibraryImport("libc", EntryPoint = "fstatat$INODE64", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FstatAtInode64(SafeFileHandle dirfd, string path, Span<byte> buffer, int flags);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int Fstat(SafeFileHandle fd, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static partial int FstatInode64(SafeFileHandle fd, Span<byte> buffer);
}
