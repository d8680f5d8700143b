using System.Diagnostics;
using System.Globalization;

namespace Playback;

/// <summary>Starts worker processes and reads back what each replay did (one line of text per worker).</summary>
internal static class PlaybackReport
{
    private const string Prefix = "RESULT";

    public static Process StartWorker(string workingDirectory, PlaybackOptions options)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Under 'dotnet Playback.dll' the process path is dotnet itself: pass the assembly first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PlaybackReport).Assembly.Location);
        }

        foreach (string arg in new[] { "--worker-of", workingDirectory, "--requests", Text(options.Requests), "--concurrency", Text(options.Concurrency) })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start a worker process.");
    }

    public static async Task<WorkloadResult> CollectAsync(Process worker)
    {
        string output = await worker.StandardOutput.ReadToEndAsync();
        await worker.WaitForExitAsync();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        return line is null
            ? new WorkloadResult(0, 1, 0, [], [$"worker {worker.Id} exited with {worker.ExitCode} and reported nothing"])
            : Decode(line);
    }

    public static string Encode(WorkloadResult result) =>
        string.Join(' ', Prefix, Text(result.Succeeded), Text(result.Failed), Text(result.Builds),
            string.Join(',', result.LockWaitsMs.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture))),
            string.Join('|', result.Errors.Select(e => e.Replace('|', '/').Replace(' ', '_'))));

    private static WorkloadResult Decode(string line)
    {
        string[] parts = line.Trim().Split(' ');
        List<double> waits = parts.Length > 4 && parts[4].Length > 0
            ? [.. parts[4].Split(',').Select(w => double.Parse(w, CultureInfo.InvariantCulture))]
            : [];
        List<string> errors = parts.Length > 5 && parts[5].Length > 0 ? [.. parts[5].Split('|').Select(e => e.Replace('_', ' '))] : [];
        return new WorkloadResult(int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture), waits, errors);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
