using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NoDb.Redis.Tests.Support;

/// <summary>A real redis-server on a free loopback port, started for the tests and stopped after them.</summary>
internal sealed class RedisServer : IDisposable
{
    private Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public string Configuration => $"127.0.0.1:{Port}";

    public static RedisServer Start(params string[] extraArguments)
    {
        int port = FreePort();
        var server = new RedisServer(Launch(port, extraArguments), port);
        server.WaitUntilListening();
        return server;
    }

    /// <summary>Stops the server and starts a new, empty one on the same port (a restart without persistence).</summary>
    public void Restart()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = Launch(Port, []);
        WaitUntilListening();
    }

    private static Process Launch(int port, string[] extraArguments)
    {
        string executable = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed. Install it (apt-get install redis-server); .ci/run does so on a fresh machine.");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" }.Concat(extraArguments))
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server.");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void WaitUntilListening()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} before listening on port {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                using NetworkStream stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var reply = new byte[7];
                int read = stream.Read(reply);
                if (read >= 5 && System.Text.Encoding.ASCII.GetString(reply, 0, 5) == "+PONG")
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            // redis-server buffers its log when stdout is a pipe, so its "Ready to accept connections" line is no event to
            // await; a PING that answers is the only sign of readiness.
            Thread.Sleep(TimeSpan.FromMilliseconds(20));
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within 20 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
