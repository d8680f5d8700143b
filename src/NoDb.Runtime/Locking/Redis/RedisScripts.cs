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

    // The waiter queue of one lock, for fairness across processes: KEYS[3] is a sorted set of tickets by arrival, KEYS[4]
    // the same tickets by the server time (ms) at which they expire unless their waiter renews them. A waiter is named
    // by its claimant, "host|pid|nonce"; its ticket is "<lease ms>:<claimant>", so that a release can hand the lock
    // straight to the head, in the head's name and for the head's own lease. Both keys expire with their last ticket, so
    // an abandoned queue vanishes by itself.
    //   queue_now(): the server's clock in ms. queue_prune(now): drops expired tickets; true if it dropped any.
    //   queue_join(ticket, now, ttl): adds the ticket at the back (or keeps its place) and renews it.
    //   queue_leave(ticket). queue_head(now): the first live ticket, with its lease, claimant and expiry, or nil; it drops
    //   from the front what is not a live ticket (one whose expiry was lost, say to eviction, or that NoDb did not write),
    //   so nothing can block the queue for longer than a ticket lives.
    //   holder_value(claimant, now, fence): the lock's value, "host|pid|acquired ms|nonce|fence" (NoDbLockHolder's record).
    //   held_by(value, claimant): the fence of a lock value that names this claimant, else nil.
    //   tell(claimant, message): publishes to the claimant's process alone, on "<channel>:host|pid", not to every process.
    //   hand_over(now, seed, handoff ms): the lock is free: grant it to the head (its lease capped at the hand-off time,
    //   so that a head that died meanwhile holds it no longer than its ticket would have lived) and tell it the value; or
    //   announce the release to everyone (on the channel itself) when nobody queues. A counter that cannot issue a number grants nothing: the head
    //   is woken to try itself, and its Acquire reports why.
    private const string QueueHelpers = """
        -- TIME before writes needs effects replication: the only mode from Redis 7, the default from 5; asked for on older.
        if redis.replicate_commands then redis.replicate_commands() end
        local function queue_now()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function queue_prune(now)
          local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
          if #dead == 0 then return false end
          for _, ticket in ipairs(dead) do redis.call('ZREM', KEYS[3], ticket) end
          redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
          return true
        end
        local function queue_join(ticket, now, ttl)
          if not redis.call('ZSCORE', KEYS[3], ticket) then
            local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
            local position = 1
            if last[2] then position = tonumber(last[2]) + 1 end
            redis.call('ZADD', KEYS[3], position, ticket)
          end
          redis.call('ZADD', KEYS[4], now + ttl, ticket)
          redis.call('PEXPIRE', KEYS[3], ttl)
          redis.call('PEXPIRE', KEYS[4], ttl)
        end
        local function queue_leave(ticket)
          redis.call('ZREM', KEYS[3], ticket)
          redis.call('ZREM', KEYS[4], ticket)
        end
        local function queue_head(now)
          while true do
            local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
            if not head then return nil end
            local expires = tonumber(redis.call('ZSCORE', KEYS[4], head))
            local lease, claimant = string.match(head, '^([0-9]+):(.+|[^|]+)$')
            if expires and expires > now and lease and tonumber(lease) >= 1 then return head, lease, claimant, expires end
            queue_leave(head)
          end
        end
        local function holder_value(claimant, now, fence)
          local process, nonce = string.match(claimant, '^(.*)|([^|]*)$')
          return process .. '|' .. string.format('%.0f', now) .. '|' .. nonce .. '|' .. fence
        end
        local function held_by(value, claimant)
          if not value then return nil end
          local process, nonce, fence = string.match(value, '^(.*)|[0-9]+|([^|]*)|([0-9]+)$')
          if process and process .. '|' .. nonce == claimant then return fence end
          return nil
        end
        local function tell(claimant, message)
          redis.call('PUBLISH', ARGV[2] .. ':' .. string.match(claimant, '^(.*)|[^|]*$'), message)
        end
        local function hand_over(now, seed, handoff)
          queue_prune(now)
          local head, lease, claimant = queue_head(now)
          if not head then
            redis.call('PUBLISH', ARGV[2], KEYS[1])
            return
          end
          if not fence_seed(KEYS[2], seed) then
            redis.call('INCR', KEYS[2])
            local value = holder_value(claimant, now, redis.call('GET', KEYS[2]))
            local px = tonumber(lease)
            if px > tonumber(handoff) then px = tonumber(handoff) end
            redis.call('SET', KEYS[1], value, 'PX', px)
            queue_leave(head)
            tell(claimant, KEYS[1] .. '\n' .. head .. '\n' .. value)
          else
            tell(claimant, KEYS[1] .. '\n' .. head)
          end
        end

        """;

    /// <summary>
    /// KEYS: lock, fence, queue, deadlines. ARGV: claimant ("host|pid|nonce"), channel, lease ms, seed, ticket lifetime ms
    /// (0: a try, which never queues). Takes the lock when it is free and nobody is queued ahead of this claimant's ticket
    /// (expired tickets do not count), or finds it already granted to this claimant by a release. Returns {'ok', fence,
    /// value} (the fence a decimal string, the value the lock's), with a fourth element 'granted' for a lock a release
    /// granted; {'held', remaining lease ms or -1 for a key with no expiry}; {'queued', ms until the head's ticket
    /// expires} when the lock is free but promised to the head; or {'bad', why, counter} when the fence counter cannot
    /// issue a number, in which case nothing was written and no lease was taken. A waiting claimant's ticket joins (or
    /// keeps its place in) the queue whenever it does not get the lock.
    /// </summary>
    public const string Acquire = FenceHelpers + QueueHelpers + """
        local ticket = ARGV[3] .. ':' .. ARGV[1]
        local ttl = tonumber(ARGV[5])
        local now = queue_now()
        local pruned = queue_prune(now)
        local value = redis.call('GET', KEYS[1])
        if value then
          local mine = held_by(value, ARGV[1])
          if mine then
            queue_leave(ticket)
            return {'ok', mine, value, 'granted'}
          end
          if ttl > 0 then queue_join(ticket, now, ttl) end
          local left = redis.call('PTTL', KEYS[1])
          if left == 0 then left = 1 end
          return {'held', left}
        end
        local head, _, claimant, expires = queue_head(now)
        if head and head ~= ticket then
          if ttl > 0 then queue_join(ticket, now, ttl) end
          -- The head took the place of an expired one and may not know it is first: wake it.
          if pruned then tell(claimant, KEYS[1] .. '\n' .. head) end
          return {'queued', math.max(expires - now, 1)}
        end
        local bad = fence_seed(KEYS[2], ARGV[4])
        if bad then return bad end
        redis.call('INCR', KEYS[2])
        local fence = redis.call('GET', KEYS[2])
        value = holder_value(ARGV[1], now, fence)
        redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
        queue_leave(ticket)
        return {'ok', fence, value}
        """;

    /// <summary>KEYS: lock. ARGV: value, lease ms. Extends the lease if it is still this value; 1 if extended.</summary>
    public const string Extend = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    /// <summary>
    /// KEYS: lock, fence, queue, deadlines. ARGV: value, channel, seed, hand-off ms. Deletes the lock if it is still this
    /// value and hands it over (<c>hand_over</c>): to the first live ticket in the queue, or announced to anyone; 1 if
    /// released.
    /// </summary>
    public const string Release = FenceHelpers + QueueHelpers + """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          hand_over(queue_now(), ARGV[3], ARGV[4])
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
    /// KEYS: lock, fence, queue, deadlines. ARGV: claimant, channel, seed, hand-off ms, ticket. A waiter gives up (timed
    /// out, cancelled, or its acquisition's reply never arrived): its ticket leaves the queue, and a lease the claimant
    /// may hold without knowing it (granted by a release, or taken by a script whose reply was lost) is handed over as a
    /// release would. 1 if there was such a lease.
    /// </summary>
    public const string Abandon = FenceHelpers + QueueHelpers + """
        queue_leave(ARGV[5])
        if held_by(redis.call('GET', KEYS[1]), ARGV[1]) then
          redis.call('DEL', KEYS[1])
          hand_over(queue_now(), ARGV[3], ARGV[4])
          return 1
        end
        return 0
        """;
}
