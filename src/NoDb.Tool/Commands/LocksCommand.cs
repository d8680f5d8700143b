using System.CommandLine;
using NoDb.Tool.Cli;
using NoDb.Tool.Output;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Commands;

/// <summary><c>nodb locks &lt;run-dir&gt;…</c>: who holds the locks of runs. Exit code 3 when any is held, for health scripts.</summary>
internal static class LocksCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("run-dir") { Description = "The run directories to look at.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("locks", "List who holds the locks of runs: host, pid (and whether it is alive, on this host), since when, lease expiry, fencing number. Exits 3 when a lock is held, 0 when none is.")
        {
            runs,
        };
        ToolCommand.SetAction(command, async (result, backend, cancellationToken) =>
        {
            List<RunPath> resolved = result.GetRequiredValue(runs).Select(RunPath.Resolve).ToList();
            var held = new List<(RunPath Run, NoDbLockHolder Holder)>();
            foreach (RunPath run in resolved)
            {
                IReadOnlyList<NoDbLockHolder> holders = await backend.ForRunAsync(run, id => NoDbRuntime.GetLockHoldersAsync(id, cancellationToken)).ConfigureAwait(false);
                held.AddRange(holders.Select(h => (run, h)));
            }

            if (result.GetValue(ToolCommand.Json))
            {
                Formats.WriteJson(Console.Out, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("backend", backend.Name);
                    json.WriteStartArray("locks");
                    foreach ((RunPath run, NoDbLockHolder holder) in held)
                    {
                        HolderOutput.Write(json, run, holder);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                });
            }
            else if (held.Count == 0)
            {
                Console.Out.WriteLine($"No locks held in {Plural(resolved.Count, "run")} ({backend.Description}).");
            }
            else
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                Table table = HolderOutput.NewTable();
                foreach ((RunPath run, NoDbLockHolder holder) in held)
                {
                    HolderOutput.AddRow(table, run, holder, now);
                }

                table.WriteTo(Console.Out);
                Console.Out.WriteLine($"{Plural(held.Count, "lock")} held in {Plural(resolved.Count, "run")} ({backend.Description}).");
            }

            return held.Count == 0 ? ExitCodes.Ok : ExitCodes.Locked;
        });
        return command;
    }

    internal static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
