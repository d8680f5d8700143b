using System.CommandLine;
using System.Text.Json;
using NoDb.Locking.FileLocks;
using NoDb.Storage;
using NoDb.Tool.Cli;
using NoDb.Tool.Output;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Commands;

/// <summary><c>nodb show &lt;run-dir&gt; [&lt;file&gt;]</c>: a run's documents pretty-printed, or where a corrupt one goes wrong.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var runArgument = new Argument<string>("run-dir") { Description = "The run directory." };
        var fileArgument = new Argument<string?>("file") { Description = "One document, such as climate.nodb. Default: every document of the run.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Print a run's documents, pretty-printed, with size, modification time and fencing number; for a corrupt document, the line and byte where it goes wrong (exit 1). The tool has no controller types: every top-level member is printed as it is on disk, including members only a newer build knows.")
        {
            runArgument,
            fileArgument,
        };
        ToolCommand.SetAction(command, (result, _, _) =>
        {
            RunPath run = RunPath.Resolve(result.GetRequiredValue(runArgument));
            IReadOnlyList<string> names;
            if (result.GetValue(fileArgument) is { } file)
            {
                try
                {
                    NoDbPaths.ValidateFileName(file);
                }
                catch (ArgumentException e)
                {
                    throw new ToolUsageException(e.Message);
                }

                names = [file];
            }
            else
            {
                names = run.DocumentNames();
            }

            List<Shown> shown = names.Select(n => Read(run, n)).ToList();
            if (result.GetValue(ToolCommand.Json))
            {
                Formats.WriteJson(Console.Out, json => WriteJson(json, run, shown));
            }
            else
            {
                WriteText(run, shown);
            }

            return Task.FromResult(shown.All(s => s.Probe.IsValid && s.Bytes is not null) ? ExitCodes.Ok : ExitCodes.Failure);
        });
        return command;
    }

    private sealed record Shown(string Name, byte[]? Bytes, FileStamp? Stamp, long Fence, DocumentProbe Probe);

    private static Shown Read(RunPath run, string name)
    {
        using RunDirectory directory = RunDirectory.Open(run.Directory);
        (byte[] Bytes, FileStamp Stamp)? read = DocumentFile.TryRead(directory, name);
        long fence;
        using (RunStateFolder? state = directory.OpenStateFolder(create: false))
        {
            fence = state is null ? 0 : FenceFile.Peek(state, name);
        }

        return read is { } found
            ? new Shown(name, found.Bytes, found.Stamp, fence, DocumentProbe.Of(found.Bytes))
            : new Shown(name, null, null, fence, new DocumentProbe("the document does not exist.", 0, 0));
    }

    private static void WriteText(RunPath run, List<Shown> shown)
    {
        if (shown.Count == 0)
        {
            Console.Out.WriteLine($"{run.Directory} has no documents.");
            return;
        }

        foreach (Shown document in shown)
        {
            string path = Path.Join(run.Directory, document.Name);
            if (document.Bytes is null)
            {
                Console.Error.WriteLine($"nodb: {path} does not exist. Documents of this run: {string.Join(", ", run.DocumentNames().DefaultIfEmpty("(none)"))}.");
                continue;
            }

            string modified = Formats.Time(DateTimeOffset.UnixEpoch.AddTicks(document.Stamp!.Value.ModifiedNanoseconds / 100), DateTimeOffset.UtcNow);
            Console.Out.WriteLine($"== {path}  ({document.Bytes.Length} bytes, modified {modified}, fence {document.Fence})");
            if (!document.Probe.IsValid)
            {
                Console.Out.WriteLine($"CORRUPT at {document.Probe.Describe()}");
                Console.Error.WriteLine($"nodb: {path} is corrupt at {document.Probe.Describe()} The file was left untouched.");
                continue;
            }

            Console.Out.WriteLine(Pretty(document.Bytes));
        }
    }

    private static void WriteJson(Utf8JsonWriter json, RunPath run, List<Shown> shown)
    {
        json.WriteStartObject();
        json.WriteString("run", run.RunId);
        json.WriteString("runDirectory", run.Directory);
        json.WriteStartArray("documents");
        foreach (Shown document in shown)
        {
            json.WriteStartObject();
            json.WriteString("document", document.Name);
            json.WriteBoolean("exists", document.Bytes is not null);
            if (document.Bytes is not null)
            {
                json.WriteNumber("length", document.Bytes.Length);
                json.WriteString("modified", Formats.Iso(DateTimeOffset.UnixEpoch.AddTicks(document.Stamp!.Value.ModifiedNanoseconds / 100)));
                json.WriteNumber("fence", document.Fence);
                json.WriteBoolean("valid", document.Probe.IsValid);
                if (document.Probe.IsValid)
                {
                    json.WritePropertyName("content");
                    json.WriteRawValue(document.Bytes, skipInputValidation: true);
                }
                else
                {
                    json.WriteStartObject("error");
                    json.WriteNumber("line", document.Probe.Line);
                    json.WriteNumber("bytePositionInLine", document.Probe.BytePositionInLine);
                    json.WriteString("message", document.Probe.Problem);
                    json.WriteEndObject();
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The document indented; if a value cannot be re-encoded (a lone surrogate escape), the bytes as they are.</summary>
    private static string Pretty(byte[] bytes)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                document.RootElement.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return System.Text.Encoding.UTF8.GetString(bytes);
        }
    }
}
