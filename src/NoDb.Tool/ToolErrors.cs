namespace NoDb.Tool;

/// <summary>The exit codes of <c>nodb</c>, which scripts may rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Done, nothing wrong.</summary>
    public const int Ok = 0;

    /// <summary>The command failed, or <c>check</c> found problems.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: an unknown option, a missing argument, a path that is not a run.</summary>
    public const int Usage = 2;

    /// <summary><c>locks</c> found at least one lock held.</summary>
    public const int Locked = 3;
}

/// <summary>Bad input from the command line (exit code 2): the message says what to pass instead.</summary>
internal sealed class ToolUsageException(string message) : Exception(message);

/// <summary>The command could not do its work (exit code 1): the message says why.</summary>
internal sealed class ToolFailureException(string message, Exception? inner = null) : Exception(message, inner);
