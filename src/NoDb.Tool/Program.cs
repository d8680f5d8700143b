using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using NoDb.Tool;
using NoDb.Tool.Cli;
using NoDb.Tool.Commands;

var root = new RootCommand(
    "nodb: the NoDb operator's tool. Lists and clears the locks of runs, shows documents, checks trees of runs, and watches " +
    "lock and commit events, on the embedded file locks or on Redis (--redis, or NODB_REDIS). Exit codes: 0 ok, 1 failure " +
    "(or problems found by check), 2 bad usage (a path that is not a run included), 3 from locks when a lock is held.")
{
    LocksCommand.Create(),
    ClearLocksCommand.Create(),
    ForceUnlockCommand.Create(),
    ShowCommand.Create(),
    CheckCommand.Create(),
    WatchCommand.Create(),
};
root.Options.Add(ToolCommand.Redis);
root.Options.Add(ToolCommand.Json);

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
{
    foreach (ParseError error in parsed.Errors)
    {
        Console.Error.WriteLine($"nodb: {error.Message}");
    }

    Console.Error.WriteLine($"Run '{string.Join(' ', parsed.CommandResult.Command is RootCommand ? ["nodb"] : new[] { "nodb", parsed.CommandResult.Command.Name })} --help' for usage.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync().ConfigureAwait(false);
