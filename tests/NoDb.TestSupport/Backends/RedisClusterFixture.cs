using StackExchange.Redis;

namespace NoDb.TestSupport;

/// <summary>The Redis backend on a Redis Cluster of three masters of its own (<see cref="RedisCluster"/>), stopped with the fixture.</summary>
public sealed class RedisClusterFixture : BackendFixture
{
    private readonly Lazy<ConnectionMultiplexer> _inspector;

    public RedisClusterFixture()
    {
        Cluster = new RedisCluster();
        _inspector = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(Cluster.Configuration));
    }

    public RedisCluster Cluster { get; }

    public override string Name => "redis-cluster";

    /// <summary>Every node's endpoint: StackExchange.Redis finds the cluster's slots from them.</summary>
    public override string? RedisConfiguration => Cluster.Configuration;

    public override Task DocumentCachedAsync(string workingDirectory, string fileName = "climate.nodb")
    {
        RedisKey document = RedisTestKeys.Of(workingDirectory, fileName).Document;
        return Eventually.True(() => _inspector.Value.GetDatabase().KeyExists(document));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            if (_inspector.IsValueCreated)
            {
                _inspector.Value.Dispose();
            }

            Cluster.Dispose();
        }
    }
}
