using System.CommandLine;
using NoDb.Tool.Runs;
using StackExchange.Redis;

namespace NoDb.Tool.Cli;

/// <summary>The options every command takes, and the one place where failures become exit codes and messages.</summary>
internal static class ToolCommand
{
    public static readonly Option<string?> Redis = new("--redis")
    {
        Description = "A StackExchange.Redis configuration string (or redis:// URI) selecting the Redis backend. Default: " +
                      "the NODB_REDIS environment variable; without either, the embedded file locks.",
        HelpName = "configuration",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write JSON for scripts instead of tables for people.",
        Recursive = true,
    };

    /// <summary>
    /// Sets <paramref name="command"/>'s action: connects the backend, runs <paramref name="body"/>, and turns what it throws
    /// into a message on stderr and the exit code (2 bad usage, 1 failure).
    /// </summary>
    public static void SetAction(Command command, Func<ParseResult, Backend, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                Backend backend = Backend.Connect(result.GetValue(Redis));
                return await body(result, backend, cancellationToken).ConfigureAwait(false);
            }
            catch (ToolUsageException e)
            {
                return Fail(ExitCodes.Usage, e.Message + $" Run 'nodb {command.Name} --help' for usage.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail(ExitCodes.Failure, "cancelled.");
            }
            catch (Exception e) when (e is ToolFailureException or NoDbException or IOException or UnauthorizedAccessException
                                          or RedisException or TimeoutException or ArgumentException)
            {
                return Fail(ExitCodes.Failure, e.Message);
            }
        });
    }

    public static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"nodb: {message}");
        return exitCode;
    }
}
