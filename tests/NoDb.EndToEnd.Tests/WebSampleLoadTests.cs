using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace NoDb.EndToEnd.Tests;

/// <summary>
/// The web sample under a short wrk load, through its own script (samples/WebApp/load.sh), on each backend: no error, nothing
/// lost, and NoDb's metrics on /metrics counted the work. wrk must be installed (test.sh installs it); without it the script
/// fails, and so does the test.
/// </summary>
public sealed partial class WebSampleLoadTests
{
    private static readonly string Root = Metadata("NoDbRepositoryRoot");
    private static readonly string WebApp = Metadata("NoDbWebApp");

    [Fact]
    public async Task A_short_load_on_the_embedded_backend_has_no_error_and_loses_nothing() =>
        AssertClean(await LoadAsync(), redis: false);

    [Fact]
    public async Task A_short_load_on_redis_has_no_error_and_loses_nothing() =>
        AssertClean(await LoadAsync("--redis-server"), redis: true);

    private static void AssertClean(string output, bool redis)
    {
        Assert.Contains(redis ? "backend        Redis (127.0.0.1:" : "backend        embedded", output, StringComparison.Ordinal);
        Assert.Matches(ErrorsZero(), output);
        Assert.True(Number(output, RequestsLine()) > 0, output);
        Assert.True(Number(output, LockWaitsLine()) > 0, output);
        Assert.True(Number(output, CommitsLine()) > 0, output);
        Assert.True(Number(output, LookupsLine()) > 0, output);
        Assert.Equal(0, Number(output, LocksLostLine()));
        Assert.Contains("verdict        OK: no errors, nothing lost", output, StringComparison.Ordinal);
    }

    private static async Task<string> LoadAsync(params string[] backend)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Join(Root, "samples", "WebApp", "load.sh"), "--app", WebApp, "--duration", "3s", "--connections", "4", "--threads", "2" }.Concat(backend))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NODB_REDIS");
        using Process load = Process.Start(start)!;
        Task<string> stdout = load.StandardOutput.ReadToEndAsync();
        Task<string> stderr = load.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await load.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            load.Kill(entireProcessTree: true);
            Assert.Fail($"load.sh did not finish within 90 s:\n{await stdout}\n{await stderr}");
        }

        string output = await stdout + await stderr;
        Assert.True(load.ExitCode == 0, $"load.sh exited with {load.ExitCode}:\n{output}");
        return output;
    }

    private static long Number(string output, Regex line)
    {
        Match match = line.Match(output);
        Assert.True(match.Success, $"no line matching {line} in:\n{output}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string Metadata(string key) =>
        typeof(WebSampleLoadTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    [GeneratedRegex(@"^errors +0 \(connect 0, read 0, write 0, timeout 0, non-2xx 0\)$", RegexOptions.Multiline)]
    private static partial Regex ErrorsZero();

    [GeneratedRegex(@"^requests +(\d+) in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^  lock wait +acquired (\d+)", RegexOptions.Multiline)]
    private static partial Regex LockWaitsLine();

    [GeneratedRegex(@"^  commits +written (\d+)", RegexOptions.Multiline)]
    private static partial Regex CommitsLine();

    [GeneratedRegex(@"^  lookups +hit (\d+)", RegexOptions.Multiline)]
    private static partial Regex LookupsLine();

    [GeneratedRegex(@"^  locks lost +(\d+)", RegexOptions.Multiline)]
    private static partial Regex LocksLostLine();
}
