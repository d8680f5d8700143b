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
            try
            {
                await foreach (NoDbRunEvent e in NoDbChangeFeed.WatchAsync(run.Directory, cancellationToken).ConfigureAwait(false))
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

    private static string Describe(RunPath run, Backend backend, NoDbRunEvent e)
    {
        string time = e.Time.UtcDateTime.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        if (e.Kind == NoDbRunEventKind.Watching)
        {
            return $"{time}  watching  {run.Directory} ({backend.Description}); Ctrl+C to stop";
        }

        string holder = e.Holder is { } h ? $"  by {h.Host} pid {h.ProcessId}, fence {h.FencingNumber}" : "";
        string fence = e.Holder is null && e.FencingNumber is { } f ? $"  fence {f}" : "";
        return $"{time}  {Name(e.Kind),-8}  {e.FileName}{holder}{fence}";
    }

    private static void Write(System.Text.Json.Utf8JsonWriter json, RunPath run, Backend backend, NoDbRunEvent e)
    {
        json.WriteStartObject();
        json.WriteString("time", Formats.Iso(e.Time));
        json.WriteString("event", Name(e.Kind));
        json.WriteString("run", run.RunId);
        if (e.Kind == NoDbRunEventKind.Watching)
        {
            json.WriteString("runDirectory", run.Directory);
            json.WriteString("backend", backend.Name);
        }

        if (e.FileName is not null)
        {
            json.WriteString("document", e.FileName);
        }

        if (e.Holder is { } holder)
        {
            json.WriteString("host", holder.Host);
            json.WriteNumber("pid", holder.ProcessId);
            json.WriteNumber("fence", holder.FencingNumber);
        }
        else if (e.FencingNumber is { } fence)
        {
            json.WriteNumber("fence", fence);
        }

        json.WriteEndObject();
    }

    /// <summary>The event's name in the tool's output: watching, held, locked, released, commit, edited, removed.</summary>
    private static string Name(NoDbRunEventKind kind) => kind switch
    {
        NoDbRunEventKind.Committed => "commit",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
