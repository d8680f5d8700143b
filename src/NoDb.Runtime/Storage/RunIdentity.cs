using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// Who a run is, across processes and machines, and the secret its cache entries are signed with. Kept in
/// <c>.nodb/run.id</c> (mode 0600): a random id and a random key, made once by the first process that needs them. The
/// identity mixes that id with the run directory's inode, so the same run reached through two mount points or a symbolic
/// link is one run (one lock, one cache entry), while two runs with the same name under different parents, or a run copied
/// with its <c>.nodb</c> folder, are different runs.
/// </summary>
internal sealed class RunIdentity
{
    public const string FileName = "run.id";

    private const int IdBytes = 16;
    private const int KeyBytes = 32;

    private RunIdentity(string id, byte[] key)
    {
        Id = id;
        Key = key;
    }

    /// <summary>The run's name in shared stores (Redis keys, notices): 24 hex digits.</summary>
    public string Id { get; }

    /// <summary>The key that signs the run's cache entries; readable only by the run's owner.</summary>
    public byte[] Key { get; }

    /// <summary>The identity of the run whose state folder is <paramref name="state"/>, made if it has none yet.</summary>
    /// <exception cref="IOException">The file is not one NoDb wrote (a link, or malformed).</exception>
    public static RunIdentity OfOrCreate(RunDirectory run, RunStateFolder state) =>
        TryOf(run, state) ?? Create(run, state);

    /// <summary>The identity of the run, or <see langword="null"/> if none was made yet.</summary>
    public static RunIdentity? TryOf(RunDirectory run, RunStateFolder state)
    {
        using SafeFileHandle? handle = state.OpenExisting(FileName);
        if (handle is null)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        int read = RandomAccess.Read(handle, buffer, 0);
        string[] parts = Encoding.ASCII.GetString(buffer[..read]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        byte[] id;
        byte[] key;
        try
        {
            id = parts.Length == 2 ? Convert.FromHexString(parts[0]) : [];
            key = parts.Length == 2 ? Convert.FromHexString(parts[1]) : [];
        }
        catch (FormatException)
        {
            id = key = [];
        }

        if (id.Length != IdBytes || key.Length != KeyBytes)
        {
            throw new IOException(
                $"'{state.PathOf(FileName)}' is not a run identity NoDb wrote. Delete it (with no process using the run): NoDb " +
                "makes a new one, and the run's Redis cache entries are then simply not used.");
        }

        Span<byte> mixed = stackalloc byte[IdBytes + sizeof(ulong)];
        id.CopyTo(mixed);
        BinaryPrimitives.WriteUInt64LittleEndian(mixed[IdBytes..], UnixNative.Stamp(run.Handle, run.Path).Inode);
        return new RunIdentity(Convert.ToHexString(SHA256.HashData(mixed), 0, 12).ToLowerInvariant(), key);
    }

    private static RunIdentity Create(RunDirectory run, RunStateFolder state)
    {
        string temp = $"{FileName}.{Guid.NewGuid():N}.tmp";
        string content = Convert.ToHexString(RandomNumberGenerator.GetBytes(IdBytes)) + "\n" +
                         Convert.ToHexString(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n";
        using (SafeFileHandle handle = UnixNative.CreateNewAt(state.Handle, temp, Convert.ToInt32("600", 8), state.PathOf(temp)))
        {
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(content), 0);
            UnixNative.Fsync(handle, state.PathOf(temp));
        }

        try
        {
            // Whoever links first wins; everyone then reads the winner's.
            UnixNative.LinkNewAt(state.Handle, temp, FileName, state.PathOf(FileName));
        }
        finally
        {
            state.Remove(temp);
        }

        return TryOf(run, state) ?? throw new IOException($"'{state.PathOf(FileName)}' vanished as it was made.");
    }
}
