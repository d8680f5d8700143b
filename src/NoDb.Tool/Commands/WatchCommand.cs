using System.CommandLine;
using NoDb.Tool.Cli;
using NoDb.Tool.Output;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Commands;

/// <summary><c>nodb watch &lt;run-dir&gt;</c>: lock and commit events of one run, as they happen, until Ctrl+C.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var runArgument = new Argument<string>("run-dir") { Description = "The run directory to watch." };
        var command = new Command("watch", "Print lock and commit events of a run as they happen, until Ctrl+C: Redis change notices on the Redis backend, file-system events on the embedded one. With --json, one JSON object a line.")
        {
            runArgument,
        };
        ToolCommand.SetAction(command, async (result, backend, cancellationToken) =>
        {
            RunPath run = RunPath.Resolve(result.GetRequiredValue(runArgument));
            bool json = result.GetValue(ToolCommand.Json);
            await using var watcher = new RunWatcher(run, backend);
            try
            {
                await foreach (WatchEvent e in watcher.WatchAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (json)
                    {
                        Formats.WriteJsonLine(Console.Out, w => Write(w, run, backend, e));
                    }
                    else
                    {
                        Console.Out.WriteLine(Describe(run, backend, e));
                        Console.Out.Flush();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the watch ends normally.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(RunPath run, Backend backend, WatchEvent e)
    {
        string time = e.Time.UtcDateTime.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        if (e.Kind == "watching")
        {
            return $"{time}  watching  {run.Directory} ({backend.Description}); Ctrl+C to stop";
        }

        string holder = e.Holder is { } h ? $"  by {h.Host} pid {h.ProcessId}, fence {h.FencingNumber}" : "";
        string fence = e.Holder is null && e.Fence is { } f ? $"  fence {f}" : "";
        return $"{time}  {e.Kind,-8}  {e.Document}{holder}{fence}";
    }

    private static void Write(System.Text.Json.Utf8JsonWriter json, RunPath run, Backend backend, WatchEvent e)
    {
        json.WriteStartObject();
        json.WriteString("time", Formats.Iso(e.Time));
        json.WriteString("event", e.Kind);
        json.WriteString("run", run.RunId);
        if (e.Kind == "watching")
        {
            json.WriteString("runDirectory", run.Directory);
            json.WriteString("backend", backend.Name);
        }

        if (e.Document is not null)
        {
            json.WriteString("document", e.Document);
        }

        if (e.Holder is { } holder)
        {
            json.WriteString("host", holder.Host);
            json.WriteNumber("pid", holder.ProcessId);
            json.WriteNumber("fence", holder.FencingNumber);
        }
        else if (e.Fence is { } fence)
        {
            json.WriteNumber("fence", fence);
        }

        json.WriteEndObject();
    }
}
