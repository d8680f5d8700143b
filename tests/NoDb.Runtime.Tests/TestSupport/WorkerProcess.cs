using System.Diagnostics;
using System.Reflection;

namespace NoDb.Runtime.Tests.TestSupport;

/// <summary>A NoDb.TestWorker child process, started with <c>dotnet</c>, talking over stdin and stdout.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private static readonly string WorkerDll = typeof(WorkerProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NoDbTestWorker").Value!;

    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Starts the worker with the file-creation mask <paramref name="umask"/> (octal), through <c>sh</c>.</summary>
    public static WorkerProcess StartWithUmask(string umask, params string[] args) =>
        Start(new Dictionary<string, string>(), ["-c", $"umask {umask} && exec dotnet \"$@\"", "sh", WorkerDll, .. args], program: "sh");

    public static WorkerProcess Start(params string[] args) => StartWith(new Dictionary<string, string>(), args);

    /// <summary>Starts a worker with <paramref name="environment"/> set on top of this process's (e.g. another NODB_REDIS).</summary>
    public static WorkerProcess StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start(environment, [WorkerDll, .. args], program: "dotnet");

    private static WorkerProcess Start(IReadOnlyDictionary<string, string> environment, string[] args, string program)
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
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

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
