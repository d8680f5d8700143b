using System.Diagnostics;

namespace NoDb.TestSupport;

/// <summary>A Redis Cluster of three masters on loopback, made with redis-cli --cluster create, stopped afterwards.</summary>
public sealed class RedisCluster : IDisposable
{
    private readonly List<RedisServer> _nodes = [];
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("nodb-cluster-");

    public RedisCluster()
    {
        try
        {
            for (int i = 0; i < 3; i++)
            {
                string config = Path.Join(_state.FullName, $"nodes-{i}.conf");
                _nodes.Add(RedisServer.StartLogged(RedisServer.FreePort(), "Ready to accept connections", [],
                    "--cluster-enabled", "yes", "--cluster-config-file", config, "--cluster-node-timeout", "2000"));
            }

            RedisCli(["--cluster", "create", .. _nodes.Select(n => n.Configuration), "--cluster-replicas", "0", "--cluster-yes"]);

            // Every node must agree, not just the first: a command routed to a node that has not converged gets CLUSTERDOWN.
            // Each node logs the moment it does.
            Task converged = Task.WhenAll(_nodes.Select(n => n.WaitForLogAsync("Cluster state changed: ok")));
            if (!converged.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("The Redis Cluster did not reach cluster_state:ok within 30 s.");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A configuration string naming every node.</summary>
    public string Configuration => string.Join(',', _nodes.Select(n => n.Configuration));

    public void Dispose()
    {
        _nodes.ForEach(n => n.Dispose());
        _state.Delete(recursive: true);
    }

    private static string RedisCli(string[] args)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} failed: {output}");
        }

        return output;
    }
}
