using System.Diagnostics;
using System.Globalization;

namespace NoDb.Redis.Tests.Support;

/// <summary>A Redis Cluster of three masters on loopback, made with redis-cli --cluster create, stopped afterwards.</summary>
internal sealed class RedisCluster : IDisposable
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
                _nodes.Add(RedisServer.Start("--cluster-enabled", "yes", "--cluster-config-file", config, "--cluster-node-timeout", "2000"));
            }

            RedisCli(["--cluster", "create", .. _nodes.Select(n => n.Configuration), "--cluster-replicas", "0", "--cluster-yes"]);
            var deadline = Stopwatch.StartNew();
            // Every node must agree, not just the first: a command routed to a node that has not converged gets CLUSTERDOWN.
            while (!_nodes.All(n => RedisCli(["-p", n.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"]).Contains("cluster_state:ok", StringComparison.Ordinal)))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("The Redis Cluster did not reach cluster_state:ok within 30 s.");
                }

                // The nodes agree among themselves over their cluster bus and announce it to no client: asking is the only way.
                Thread.Sleep(TimeSpan.FromMilliseconds(50));
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
