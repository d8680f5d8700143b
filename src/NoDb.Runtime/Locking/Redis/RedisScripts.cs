namespace NoDb.Locking.Redis;

/// <summary>
/// The Lua scripts. Each touches only the keys of one document, which share a hash tag, so they run on Redis Cluster.
/// A lock's value is "owner|fence": release and extension compare it whole and never re-create an expired key. Fencing
/// numbers are formatted with '%d': Lua's own number formatting keeps only 14 digits, and the numbers have 16.
/// </summary>
internal static class RedisScripts
{
    /// <summary>KEYS: lock, fence. ARGV: owner, lease ms, seed. Returns the fencing number, or -(remaining lease ms) if held.</summary>
    public const string Acquire = """
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl ~= -2 then
          if ttl < 1 then ttl = 1 end
          return -ttl
        end
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        if tonumber(ARGV[3]) > current then
          redis.call('SET', KEYS[2], ARGV[3])
        end
        local fence = redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], ARGV[1] .. '|' .. string.format('%d', fence), 'PX', ARGV[2])
        return fence
        """;

    /// <summary>KEYS: lock. ARGV: value, lease ms. Extends the lease if it is still this value; 1 if extended.</summary>
    public const string Extend = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    /// <summary>KEYS: lock. ARGV: value, channel. Deletes the lock if it is still this value and announces it; 1 if released.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], KEYS[1])
          return 1
        end
        return 0
        """;

    /// <summary>
    /// KEYS: document. ARGV: fence, body, ttl seconds, channel, document identity, disk stamp, signature. Caches the
    /// document unless a newer one is cached, and announces the change either way.
    /// </summary>
    public const string CacheCommitted = """
        local cached = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0') or 0
        if tonumber(ARGV[1]) >= cached then
          redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'body', ARGV[2], 'stamp', ARGV[6], 'mac', ARGV[7])
          redis.call('EXPIRE', KEYS[1], ARGV[3])
        end
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    /// <summary>KEYS: lock, fence. ARGV: channel, seed. Takes the lock away from any holder; returns the new fence number.</summary>
    public const string Force = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        if tonumber(ARGV[2]) > current then
          redis.call('SET', KEYS[2], ARGV[2])
        end
        redis.call('DEL', KEYS[1])
        local fence = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[1], KEYS[1])
        return fence
        """;

    /// <summary>
    /// KEYS: lock. ARGV: owner prefix ("host|pid|ms|nonce|"), channel. Releases a lease this owner may have taken by an
    /// acquisition whose reply never arrived; 1 if there was one.
    /// </summary>
    public const string ReleaseOwned = """
        local value = redis.call('GET', KEYS[1])
        if value and string.sub(value, 1, #ARGV[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], KEYS[1])
          return 1
        end
        return 0
        """;
}
