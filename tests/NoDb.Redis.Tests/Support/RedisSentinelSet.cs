using System.Globalization;
using NoDb.TestSupport;

namespace NoDb.Redis.Tests.Support;

/// <summary>
/// A primary, its replica and one Sentinel watching them, on loopback, with short timeouts: the Sentinel calls the primary
/// down after a second without replies and promotes the replica.
/// </summary>
internal sealed class RedisSentinelSet : IDisposable
{
    public const string ServiceName = "nodbtest";

    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("nodb-sentinel-");
    private readonly List<RedisServer> _servers = [];

    public RedisSentinelSet()
    {
        try
        {
            // No delay before the replica's first full sync (diskless, by default 5 s waiting for more replicas).
            Primary = Track(RedisServer.Start("--repl-diskless-sync-delay", "0"));
            // A replica writes the primary's snapshot to its folder when it syncs: a folder of its own, so that no later
            // replica starts from it.
            string replicaFolder = Directory.CreateDirectory(Path.Join(_state.FullName, "replica")).FullName;
            Replica = Track(RedisServer.StartLogged(RedisServer.FreePort(), "sync: Finished with success", [],
                "--replicaof", "127.0.0.1", Port(Primary), "--dir", replicaFolder, "--repl-diskless-load", "on-empty-db"));

            // Sentinel rewrites its configuration file, so it gets one of its own.
            string config = Path.Join(_state.FullName, "sentinel.conf");
            File.WriteAllLines(config,
            [
                $"sentinel monitor {ServiceName} 127.0.0.1 {Port(Primary)} 1",
                $"sentinel down-after-milliseconds {ServiceName} 1000",
                $"sentinel failover-timeout {ServiceName} 5000",
                $"sentinel parallel-syncs {ServiceName} 1",
            ]);
            int sentinelPort = RedisServer.FreePort();

            // Ready once it has found the replica (from the primary's INFO), so that it has someone to promote.
            Sentinel = Track(RedisServer.StartLogged("redis-sentinel", sentinelPort, $"+slave slave 127.0.0.1:{Replica.Port}", [config]));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public RedisServer Primary { get; } = null!;

    public RedisServer Replica { get; } = null!;

    public RedisServer Sentinel { get; } = null!;

    /// <summary>The configuration string NoDb is given: the Sentinel's endpoint and the service it watches.</summary>
    public string Configuration => $"127.0.0.1:{Sentinel.Port},serviceName={ServiceName}";

    /// <summary>Completes when the Sentinel has promoted the replica (it announces +switch-master).</summary>
    public Task PromotedAsync() => Sentinel.WaitForLogAsync("+switch-master");

    public void Dispose()
    {
        _servers.ForEach(s => s.Dispose());
        _state.Delete(recursive: true);
    }

    private RedisServer Track(RedisServer server)
    {
        _servers.Add(server);
        return server;
    }

    private static string Port(RedisServer server) => server.Port.ToString(CultureInfo.InvariantCulture);
}
