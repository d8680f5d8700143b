using StackExchange.Redis;

namespace NoDb.TestSupport;

/// <summary>The Redis backend on a redis-server of its own, started on a free loopback port and stopped with the fixture.</summary>
public sealed class RedisFixture : BackendFixture
{
    private readonly Lazy<ConnectionMultiplexer> _inspector;

    public RedisFixture()
    {
        Server = RedisServer.Start();
        _inspector = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect($"{Server.Configuration},allowAdmin=true"));
    }

    /// <summary>The server, for the tests that stop, pause, flush or restart it.</summary>
    public RedisServer Server { get; }

    public override string Name => "redis";

    public override string? RedisConfiguration => Server.Configuration;

    /// <summary>A connection of the test's own (with admin commands), to look into Redis or change it behind NoDb's back.</summary>
    public IDatabase Database => _inspector.Value.GetDatabase();

    /// <summary>The server, through that connection (FLUSHALL, CONFIG, INFO).</summary>
    public IServer Admin => _inspector.Value.GetServers().Single();

    public override Task DocumentCachedAsync(string workingDirectory, string fileName = "climate.nodb")
    {
        RedisKey document = RedisTestKeys.Of(workingDirectory, fileName).Document;
        return Eventually.True(() => Database.KeyExists(document));
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

            Server.Dispose();
        }
    }
}
