using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>The Redis keys of one document. They share a hash tag, so one script can use them all on Redis Cluster.</summary>
internal sealed class RedisKeys
{
    public const string ReleasedChannel = "nodb:released";

    public const string ChangedChannel = "nodb:changed";

    public RedisKeys(LockTarget target)
    {
        // The path can be long and contain anything; its hash is a safe, fixed-size tag.
        string tag = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(target.DocumentPath)), 0, 12).ToLowerInvariant();
        Lock = $"nodb:{{{tag}}}:lock";
        Fence = $"nodb:{{{tag}}}:fence";
        Document = $"nodb:{{{tag}}}:doc";
        Run = $"nodb:run:{target.RunId}";
    }

    public RedisKey Lock { get; }

    public RedisKey Fence { get; }

    /// <summary>The cached committed document: a hash of its fence number and its bytes.</summary>
    public RedisKey Document { get; }

    /// <summary>The set of a run's lock keys, for clearing a run by id.</summary>
    public RedisKey Run { get; }
}
