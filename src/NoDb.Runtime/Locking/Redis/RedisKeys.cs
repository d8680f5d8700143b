using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>The Redis keys of one document. They share a hash tag, so one script can use them all on Redis Cluster.</summary>
internal sealed class RedisKeys
{
    public const string ReleasedChannel = "nodb:released";

    public const string ChangedChannel = "nodb:changed";

    public RedisKeys(NoDb.Storage.RunIdentity run, string fileName)
    {
        // Keyed by the run's identity (kept in its state folder) and the file name, not by path or run id: every machine
        // names the document the same way whatever its mount point, and two runs never share keys. The hash makes a safe,
        // fixed-size tag of a file name that may contain anything.
        string tag = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(run.Id + "/" + fileName)), 0, 12).ToLowerInvariant();
        Lock = $"nodb:{{{tag}}}:lock";
        Fence = $"nodb:{{{tag}}}:fence";
        Document = $"nodb:{{{tag}}}:doc";
        Queue = $"nodb:{{{tag}}}:queue";
        Deadlines = $"nodb:{{{tag}}}:queue-expiry";
    }

    public RedisKey Lock { get; }

    public RedisKey Fence { get; }

    /// <summary>The cached committed document: a hash of its fence number and its bytes.</summary>
    public RedisKey Document { get; }

    /// <summary>The lock's waiters, first come first served: a sorted set of tickets by arrival.</summary>
    public RedisKey Queue { get; }

    /// <summary>The same tickets by the server time (ms) at which each expires unless its waiter renews it.</summary>
    public RedisKey Deadlines { get; }

    /// <summary>The keys the acquisition, release and abandon scripts use, in their order: lock, fence, queue, deadlines.</summary>
    public RedisKey[] LockScriptKeys => [Lock, Fence, Queue, Deadlines];

}
