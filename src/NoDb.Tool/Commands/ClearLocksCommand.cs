using System.CommandLine;
using NoDb.Tool.Cli;
using NoDb.Tool.Output;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Commands;

/// <summary><c>nodb clear-locks &lt;run-dir&gt;…</c>: takes away every lock of runs (wepppy's clear_locks) and prints what it cleared.</summary>
internal static class ClearLocksCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("run-dir") { Description = "The run directories whose locks to clear.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("clear-locks", "Take away every lock of runs, and print the holders it cleared. Holders are fenced out: their later writes are refused. Touches no other run.")
        {
            runs,
        };
        ToolCommand.SetAction(command, async (result, backend, cancellationToken) =>
        {
            List<RunPath> resolved = result.GetRequiredValue(runs).Select(RunPath.Resolve).ToList();
            var cleared = new List<(RunPath Run, NoDbLockHolder Holder)>();
            var refused = new List<(RunPath Run, string Why)>();
            foreach (RunPath run in resolved)
            {
                try
                {
                    IReadOnlyList<NoDbLockHolder> holders = await backend.ForRunAsync(run, id => NoDbRuntime.ClearLocksAsync(id, cancellationToken)).ConfigureAwait(false);
                    cleared.AddRange(holders.Select(h => (run, h)));
                }
                catch (NoDbClearLocksIncompleteException e)
                {
                    cleared.AddRange(e.Cleared.Select(h => (run, h)));
                    refused.AddRange(e.Refused.Select(why => (run, why)));
                }
            }

            if (result.GetValue(ToolCommand.Json))
            {
                Formats.WriteJson(Console.Out, json =>
                {
                    json.WriteStartObject();
                    json.WriteString("backend", backend.Name);
                    json.WriteStartArray("cleared");
                    foreach ((RunPath run, NoDbLockHolder holder) in cleared)
                    {
                        HolderOutput.Write(json, run, holder);
                    }

                    json.WriteEndArray();
                    json.WriteStartArray("refused");
                    foreach ((RunPath run, string why) in refused)
                    {
                        json.WriteStartObject();
                        json.WriteString("run", run.RunId);
                        json.WriteString("runDirectory", run.Directory);
                        json.WriteString("reason", why);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                });
            }
            else
            {
                if (cleared.Count > 0)
                {
                    DateTimeOffset now = DateTimeOffset.UtcNow;
                    Table table = HolderOutput.NewTable();
                    foreach ((RunPath run, NoDbLockHolder holder) in cleared)
                    {
                        HolderOutput.AddRow(table, run, holder, now);
                    }

                    table.WriteTo(Console.Out);
                }

                Console.Out.WriteLine($"Cleared {LocksCommand.Plural(cleared.Count, "lock")} in {LocksCommand.Plural(resolved.Count, "run")} ({backend.Description}).");
                foreach ((RunPath run, string why) in refused)
                {
                    Console.Error.WriteLine($"nodb: refused in {run.Directory}: {why}");
                }
            }

            return refused.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
