using System.CommandLine;
using NoDb.Locking;
using NoDb.Storage;
using NoDb.Tool.Cli;
using NoDb.Tool.Output;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Commands;

/// <summary><c>nodb force-unlock &lt;run-dir&gt; &lt;file&gt;</c>: takes the lock of one document away from whoever holds it.</summary>
internal static class ForceUnlockCommand
{
    public static Command Create()
    {
        var runArgument = new Argument<string>("run-dir") { Description = "The run directory." };
        var fileArgument = new Argument<string>("file") { Description = "The document whose lock to take away, such as climate.nodb." };
        var command = new Command("force-unlock", "Take the lock of one document away from whoever holds it (the holder is fenced out), and print who held it.")
        {
            runArgument,
            fileArgument,
        };
        ToolCommand.SetAction(command, async (result, backend, cancellationToken) =>
        {
            RunPath run = RunPath.Resolve(result.GetRequiredValue(runArgument));
            string file = result.GetRequiredValue(fileArgument);
            try
            {
                NoDbPaths.ValidateFileName(file);
            }
            catch (ArgumentException e)
            {
                throw new ToolUsageException(e.Message);
            }

            if (!File.Exists(Path.Join(run.Directory, file)) && !File.Exists(Path.Join(run.Directory, NoDbPaths.StateFolder, file + ".fence")))
            {
                throw new ToolUsageException(
                    $"The run '{run.Directory}' has no document '{file}' and no lock of it. Its documents: " +
                    $"{string.Join(", ", run.DocumentNames().DefaultIfEmpty("(none)"))}.");
            }

            IReadOnlyList<NoDbLockHolder> before = await Backend.Locks.GetHoldersAsync(run.Directory, cancellationToken).ConfigureAwait(false);
            NoDbLockHolder? holder = before.FirstOrDefault(h => Path.GetFileName(h.FilePath) == file);
            await Backend.Locks.ForceUnlockAsync(new LockTarget(run.Directory, file), cancellationToken).ConfigureAwait(false);
            if (result.GetValue(ToolCommand.Json))
            {
                Formats.WriteJson(Console.Out, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("backend", backend.Name);
                    json.WriteString("run", run.RunId);
                    json.WriteString("runDirectory", run.Directory);
                    json.WriteString("document", file);
                    json.WritePropertyName("cleared");
                    if (holder is null)
                    {
                        json.WriteNullValue();
                    }
                    else
                    {
                        HolderOutput.Write(json, run, holder);
                    }

                    json.WriteEndObject();
                });
            }
            else if (holder is null)
            {
                Console.Out.WriteLine($"{file} in {run.Directory} was not locked; its fence was moved on all the same ({backend.Description}).");
            }
            else
            {
                Table table = HolderOutput.NewTable();
                HolderOutput.AddRow(table, run, holder, DateTimeOffset.UtcNow);
                table.WriteTo(Console.Out);
                Console.Out.WriteLine($"Forced open the lock of {file}: the holder above is fenced out ({backend.Description}).");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
