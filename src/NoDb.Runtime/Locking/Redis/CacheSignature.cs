using System.Security.Cryptography;
using System.Text;
using NoDb.Storage;

namespace NoDb.Locking.Redis;

/// <summary>
/// Signs a cached document with its run's key (HMAC-SHA256 over run, file, fence, disk stamp and body): a cache entry that
/// another run wrote, that someone put into Redis by hand, or that was altered there is never served.
/// </summary>
internal static class CacheSignature
{
    public static byte[] Sign(RunIdentity run, string fileName, long fence, string stamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, run.Key);
        hmac.AppendData(Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run.Id}\n{fileName}\n{fence}\n{stamp}\n")));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    public static bool Verify(RunIdentity run, string fileName, long fence, string stamp, ReadOnlySpan<byte> body, ReadOnlySpan<byte> mac) =>
        CryptographicOperations.FixedTimeEquals(Sign(run, fileName, fence, stamp, body), mac);
}
