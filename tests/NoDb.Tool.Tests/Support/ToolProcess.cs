using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using NoDb.TestSupport;

namespace NoDb.Tool.Tests.Support;

/// <summary>What one run of the tool printed, and its exit code.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json
    {
        get
        {
            using JsonDocument document = JsonDocument.Parse(Output);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>The built tool, run as <c>dotnet NoDb.Tool.dll …</c>, as an operator runs <c>nodb …</c>.</summary>
internal sealed class ToolProcess : IDisposable
{
    public static readonly string ToolDll = typeof(ToolProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NoDbTool").Value!;

    private readonly Process _process;

    private ToolProcess(Process process) => _process = process;

    /// <summary>Runs the tool to its end on <paramref name="backend"/>, and returns what it printed.</summary>
    public static async Task<ToolResult> RunAsync(TestBackend backend, params string[] args)
    {
        using ToolProcess tool = Start(backend, args);
        Task<string> output = tool._process.StandardOutput.ReadToEndAsync();
        Task<string> error = tool._process.StandardError.ReadToEndAsync();
        await tool._process.WaitForExitAsync().Within();
        return new ToolResult(tool._process.ExitCode, await output, await error);
    }

    /// <summary>Starts the tool and leaves it running (for <c>watch</c>); read its lines with <see cref="ReadLineAsync"/>.</summary>
    public static ToolProcess Start(TestBackend backend, params string[] args)
    {
        if (!File.Exists(ToolDll))
        {
            throw new FileNotFoundException($"The tool was not built at '{ToolDll}'. Build the test project first.", ToolDll);
        }

        // Through env(1), which restores SIGINT's default action before it execs dotnet (same process id): a test run
        // started in the background of a non-interactive shell has SIGINT ignored, the tool would inherit that, and the
        // Ctrl+C of InterruptAsync would never reach it.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(ToolDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        backend.Apply(start.Environment);
        return new ToolProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the tool."));
    }

    /// <summary>The next line the tool printed; fails if it exits or prints nothing in time.</summary>
    public async Task<string> ReadLineAsync()
    {
        string? line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TestTimeouts.Patience);
        return line ?? throw new InvalidOperationException($"The tool exited (code {_process.ExitCode}): {await _process.StandardError.ReadToEndAsync()}");
    }

    /// <summary>Reads lines until one satisfies <paramref name="match"/>, and returns every line read.</summary>
    public async Task<List<JsonElement>> ReadEventsUntilAsync(Func<JsonElement, bool> match)
    {
        var seen = new List<JsonElement>();
        while (true)
        {
            using JsonDocument document = JsonDocument.Parse(await ReadLineAsync());
            JsonElement e = document.RootElement.Clone();
            seen.Add(e);
            if (match(e))
            {
                return seen;
            }
        }
    }

    /// <summary>Interrupts the tool as Ctrl+C would (SIGINT), and returns its exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        using (Process kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().Within();
        }

        await _process.WaitForExitAsync().Within();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
