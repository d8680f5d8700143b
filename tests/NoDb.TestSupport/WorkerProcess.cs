using System.Diagnostics;
using System.Reflection;

namespace NoDb.TestSupport;

/// <summary>
/// A NoDb.TestWorker child process, started with <c>dotnet</c>, talking over stdin and stdout. Tests start it through their
/// backend (<see cref="BackendFixture.StartWorker"/>), which gives it the environment that selects the same backend.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private static readonly string WorkerDll = typeof(WorkerProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NoDbTestWorker").Value!;

    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Starts a worker with <paramref name="environment"/> set on top of this process's (e.g. another NODB_REDIS).</summary>
    public static WorkerProcess StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Launch(e =>
        {
            foreach ((string name, string value) in environment)
            {
                e[name] = value;
            }
        }, [WorkerDll, .. args], program: "dotnet");

    /// <summary>Starts a worker whose environment <paramref name="environment"/> adjusts (a backend sets or removes NODB_REDIS).</summary>
    internal static WorkerProcess Start(Action<IDictionary<string, string?>> environment, params string[] args) =>
        Launch(environment, [WorkerDll, .. args], program: "dotnet");

    /// <summary>As <c>Start</c>, with the file-creation mask <paramref name="umask"/> (octal), through <c>sh</c>.</summary>
    internal static WorkerProcess StartWithUmask(Action<IDictionary<string, string?>> environment, string umask, params string[] args) =>
        Launch(environment, ["-c", $"umask {umask} && exec dotnet \"$@\"", "sh", WorkerDll, .. args], program: "sh");

    private static WorkerProcess Launch(Action<IDictionary<string, string?>> environment, string[] args, string program)
    {
        if (!File.Exists(WorkerDll))
        {
            throw new FileNotFoundException($"The test worker was not built at '{WorkerDll}'. Build the solution first.", WorkerDll);
        }

        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        environment(start.Environment);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the test worker."));
    }

    /// <summary>The worker's next line of output; fails if it exits or says nothing within <paramref name="timeout"/>.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The worker said nothing within {timeout}. stderr: {await StandardErrorSoFar()}");
        }

        return line ?? throw new InvalidOperationException($"The worker exited without output. stderr: {await StandardErrorSoFar()}");
    }

    public Task WriteLineAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task<string> StandardErrorSoFar()
    {
        if (!_process.HasExited)
        {
            return "(still running)";
        }

        return await _process.StandardError.ReadToEndAsync();
    }
}
