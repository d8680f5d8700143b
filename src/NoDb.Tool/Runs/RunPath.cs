using NoDb.Storage;

namespace NoDb.Tool.Runs;

/// <summary>A run directory named on the command line, validated: it exists, and it is a NoDb run.</summary>
internal sealed record RunPath(string Directory, string RunId)
{
    /// <summary>
    /// Resolves <paramref name="argument"/> to a run directory. A run is a directory that holds a <c>.nodb</c> state folder
    /// or at least one <c>*.nodb</c> document; anything else is bad usage, with a message that says what was found.
    /// </summary>
    public static RunPath Resolve(string argument)
    {
        string directory;
        try
        {
            directory = NoDbPaths.NormalizeWorkingDirectory(argument);
        }
        catch (ArgumentException e)
        {
            throw new ToolUsageException(e.Message);
        }

        if (!System.IO.Directory.Exists(directory))
        {
            if (argument.StartsWith('-'))
            {
                throw new ToolUsageException($"'{argument}' is not an option of this command, nor a run directory.");
            }

            throw new ToolUsageException(File.Exists(directory)
                ? $"'{argument}' is a file, not a run directory. Pass the directory that holds the run's *.nodb documents."
                : $"'{argument}' does not exist. Pass the directory of a run (the folder that holds its *.nodb documents).");
        }

        if (!IsRun(directory))
        {
            throw new ToolUsageException(
                $"'{argument}' is not a NoDb run: it holds neither a .nodb state folder nor a *.nodb document. Pass the " +
                "directory of a run, or use 'nodb check' to find the runs below a folder.");
        }

        return new RunPath(directory, Path.GetFileName(directory));
    }

    /// <summary>Whether <paramref name="directory"/> holds a <c>.nodb</c> state folder or a <c>*.nodb</c> document.</summary>
    public static bool IsRun(string directory) =>
        System.IO.Directory.Exists(Path.Join(directory, NoDbPaths.StateFolder)) ||
        System.IO.Directory.EnumerateFiles(directory, "*.nodb").Any(f => NoDbPaths.IsDocumentName(Path.GetFileName(f)));

    /// <summary>The documents of the run: regular files with a valid controller file name, in name order.</summary>
    public IReadOnlyList<string> DocumentNames()
    {
        using RunDirectory run = RunDirectory.Open(Directory);
        return System.IO.Directory.EnumerateFiles(Directory, "*.nodb")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => NoDbPaths.IsDocumentName(n) && run.StampOf(n) is { IsRegularFile: true })
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
