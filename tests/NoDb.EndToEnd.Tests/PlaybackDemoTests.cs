using System.Diagnostics;
using System.Reflection;

namespace NoDb.EndToEnd.Tests;

public sealed class PlaybackDemoTests
{
    private static readonly string Playback = typeof(PlaybackDemoTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NoDbPlayback").Value!;

    [Fact]
    public async Task The_playback_demo_serves_every_request_across_processes_and_loses_no_update()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Playback, "--processes", "3", "--requests", "40", "--concurrency", "8" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NODB_REDIS");
        using Process demo = Process.Start(start)!;
        Task<string> stdout = demo.StandardOutput.ReadToEndAsync();
        Task<string> stderr = demo.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await demo.WaitForExitAsync(timeout.Token);
        string output = await stdout;

        Assert.True(demo.ExitCode == 0, output + await stderr);
        Assert.Contains("requests       120", output, StringComparison.Ordinal);
        Assert.Contains("succeeded      120", output, StringComparison.Ordinal);
        Assert.Contains("failed         0", output, StringComparison.Ordinal);
        Assert.Contains("nothing lost", output, StringComparison.Ordinal);
    }
}
