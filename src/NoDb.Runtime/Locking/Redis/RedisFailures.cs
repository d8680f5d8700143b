using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>What counts as Redis failing: its errors, and its timeouts (which derive from TimeoutException, not RedisException).</summary>
internal static class RedisFailures
{
    public static bool Is(Exception e) => e is RedisException or RedisTimeoutException;
}
