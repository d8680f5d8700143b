using StackExchange.Redis;

namespace NoDb.Benchmarks;

/// <summary>The Redis the benchmarks share: NODB_BENCH_REDIS, which benchmarks/run.sh sets to a server it started.</summary>
internal static class BenchmarkRedis
{
    public static string Configuration =>
        Environment.GetEnvironmentVariable("NODB_BENCH_REDIS") is { Length: > 0 } configuration
            ? configuration
            : throw new InvalidOperationException("NODB_BENCH_REDIS is not set: run the suite with benchmarks/run.sh, which starts a redis-server for it.");

    /// <summary>A connection of its own, as another process would have.</summary>
    public static ConnectionMultiplexer Connect() => ConnectionMultiplexer.Connect(Configuration);
}
