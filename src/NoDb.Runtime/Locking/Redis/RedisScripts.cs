namespace NoDb.Locking.Redis;

/// <summary>
/// The Lua scripts. Each touches only the keys of one document, which share a hash tag, so they run on Redis Cluster.
/// A lock's value is "owner|fence": release and extension compare it whole and never re-create an expired key.
/// </summary>
/// <remarks>
/// Lua numbers are doubles, exact only up to 2^53, and fencing numbers go up to <see cref="long.MaxValue"/>: the scripts
/// never turn a fencing number into a Lua number. They compare the decimal strings (by length, then digit by digit),
/// let Redis's exact 64-bit INCR issue the next one, and read it back with GET as a string.
/// </remarks>
internal static class RedisScripts
{
    // fence_greater(a, b): a > b for two valid counters. fence_check(v): nil if v (a string, or false for a missing key)
    // can be incremented, else why not. fence_seed(key, seed): checks the counter and raises it to the seed (the number
    // on disk), or returns the {'bad', why, value} reply having written nothing. None of them uses tonumber.
    private const string FenceHelpers = """
        local MAX = '9223372036854775807'
        local function fence_greater(a, b)
          if #a ~= #b then return #a > #b end
          for i = 1, #a do
            local x, y = string.byte(a, i), string.byte(b, i)
            if x ~= y then return x > y end
          end
          return false
        end
        local function fence_valid(v)
          if not string.match(v, '^[1-9][0-9]*$') and v ~= '0' then return false end
          return #v < 19 or (#v == 19 and not fence_greater(v, MAX))
        end
        local function fence_check(v)
          if not v then return nil end
          if not fence_valid(v) then return 'not a whole number from 0 to ' .. MAX end
          if v == MAX then return 'at ' .. MAX .. ', the largest fencing number, so the next one would overflow' end
          return nil
        end
        local function fence_seed(key, seed)
          local kind = redis.call('TYPE', key)['ok']
          if kind ~= 'none' and kind ~= 'string' then return {'bad', 'a ' .. kind .. ', not a whole number', ''} end
          local current = redis.call('GET', key)
          local why = fence_check(current)
          if why then return {'bad', why, string.sub(current, 1, 40)} end
          if not current or fence_greater(seed, current) then
            why = fence_check(seed)
            if why then return {'bad', why, string.sub(seed, 1, 40)} end
            redis.call('SET', key, seed)
          end
          return nil
        end

        """;

    /// <summary>
    /// KEYS: lock, fence. ARGV: owner, lease ms, seed. Returns {'ok', fence} (fence a decimal string), {'held', remaining
    /// lease ms or -1 for a key with no expiry}, or {'bad', why, counter} when the fence counter cannot issue a number; in
    /// that case nothing was written and no lease was taken.
    /// </summary>
    public const string Acquire = FenceHelpers + """
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl ~= -2 then
          if ttl == 0 then ttl = 1 end
          return {'held', ttl}
        end
        local bad = fence_seed(KEYS[2], ARGV[3])
        if bad then return bad end
        redis.call('INCR', KEYS[2])
        local fence = redis.call('GET', KEYS[2])
        redis.call('SET', KEYS[1], ARGV[1] .. '|' .. fence, 'PX', ARGV[2])
        return {'ok', fence}
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
    public const string CacheCommitted = FenceHelpers + """
        local cached = redis.call('HGET', KEYS[1], 'fence')
        if not cached or not fence_valid(cached) or not fence_greater(cached, ARGV[1]) then
          redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'body', ARGV[2], 'stamp', ARGV[6], 'mac', ARGV[7])
          redis.call('EXPIRE', KEYS[1], ARGV[3])
        end
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    /// <summary>
    /// KEYS: lock, fence. ARGV: channel, seed. Takes the lock away from any holder; returns {'ok', new fence} or, when the
    /// fence counter cannot issue a number, {'bad', why, counter} having changed nothing.
    /// </summary>
    public const string Force = FenceHelpers + """
        local bad = fence_seed(KEYS[2], ARGV[2])
        if bad then return bad end
        redis.call('DEL', KEYS[1])
        redis.call('INCR', KEYS[2])
        local fence = redis.call('GET', KEYS[2])
        redis.call('PUBLISH', ARGV[1], KEYS[1])
        return {'ok', fence}
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
