using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NoDb.TestSupport;

/// <summary>A real redis-server on a free loopback port, started for the tests and stopped after them.</summary>
public sealed class RedisServer : IDisposable
{
    private const string ReadyLine = "Ready to accept connections";

    private readonly object _logSync = new();
    private readonly List<string> _log = [];
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _logWaiters = [];
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
        var server = new RedisServer(Launch(port, [], extraArguments), port);
        server.WaitUntilListening(ReadyLine, keepLog: false);
        return server;
    }

    /// <summary>
    /// Starts a server with <paramref name="leadingArguments"/> before the usual ones (a config file must come first, as
    /// for a sentinel), waits until it logs a line containing <paramref name="readyLine"/> (its port is known beforehand,
    /// so that the line may name it), and keeps its log for <see cref="WaitForLogAsync"/>.
    /// </summary>
    public static RedisServer StartLogged(int port, string readyLine, string[] leadingArguments, params string[] extraArguments) =>
        StartLogged("redis-server", port, readyLine, leadingArguments, extraArguments);

    /// <summary>As <see cref="StartLogged(int, string, string[], string[])"/>, with another program of the Redis packages (redis-sentinel).</summary>
    public static RedisServer StartLogged(string program, int port, string readyLine, string[] leadingArguments, params string[] extraArguments)
    {
        var server = new RedisServer(Launch(port, leadingArguments, extraArguments, program), port);
        try
        {
            server.WaitUntilListening(readyLine, keepLog: true);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>Completes with the first line of the server's log (since it was ready) that contains <paramref name="text"/>.</summary>
    public Task<string> WaitForLogAsync(string text)
    {
        lock (_logSync)
        {
            if (_log.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _logWaiters.Add((text, waiter));
            return waiter.Task;
        }
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Stops the server and starts a new, empty one on the same port (a restart without persistence).</summary>
    public void Restart()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = Launch(Port, [], []);
        WaitUntilListening(ReadyLine, keepLog: false);
    }

    private static Process Launch(int port, string[] leadingArguments, string[] extraArguments, string program = "redis-server")
    {
        string executable = new[] { $"/usr/bin/{program}", $"/usr/local/bin/{program}" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{program} is not installed. Install it (apt-get install {program}); test.sh does so on a fresh machine.");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in leadingArguments.Concat(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"]).Concat(extraArguments))
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server.");
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

    /// <summary>
    /// Waits for the server to log that it accepts connections (it flushes every line), blocking: fixtures start servers in
    /// their constructors. The wait is on the stream's own task, so it needs no other thread of this assembly to run.
    /// </summary>
    private void WaitUntilListening(string readyLine, bool keepLog)
    {
        var deadline = Stopwatch.StartNew();
        var seen = new List<string>();
        while (true)
        {
            TimeSpan left = TimeSpan.FromSeconds(20) - deadline.Elapsed;
            Task<string?> next = _process.StandardOutput.ReadLineAsync();
            if (left <= TimeSpan.Zero || !next.Wait(left))
            {
                throw new TimeoutException($"redis-server did not log '{readyLine}' on port {Port} within 20 s. Its log:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
            }

            if (next.Result is not { } line)
            {
                throw new InvalidOperationException($"redis-server exited before it was ready on port {Port}. Its log:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
            }

            seen.Add(line);
            if (line.Contains(readyLine, StringComparison.Ordinal))
            {
                // Keep draining, so the server never blocks on a full pipe.
                _ = keepLog ? KeepLogAsync(_process.StandardOutput) : _process.StandardOutput.ReadToEndAsync();
                return;
            }
        }
    }

    private async Task KeepLogAsync(StreamReader output)
    {
        while (await output.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (_logSync)
            {
                _log.Add(line);
                foreach ((string text, TaskCompletionSource<string> seen) in _logWaiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    seen.TrySetResult(line);
                    _logWaiters.Remove((text, seen));
                }
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
