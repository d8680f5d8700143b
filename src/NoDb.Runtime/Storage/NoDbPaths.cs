namespace NoDb.Storage;

/// <summary>Validation and normalisation of the paths NoDb is handed from outside.</summary>
internal static class NoDbPaths
{
    /// <summary>The marker file whose presence makes a run read-only.</summary>
    public const string ReadOnlyMarker = "READONLY";

    /// <summary>The folder inside a working directory that holds lock and fence files.</summary>
    public const string StateFolder = ".nodb";


    /// <summary>Returns the absolute, normalised form of a working directory, or throws <see cref="ArgumentException"/>.</summary>
    public static string NormalizeWorkingDirectory(string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        if (string.IsNullOrWhiteSpace(workingDirectory))
        {
            throw new ArgumentException("The working directory is empty. Pass the absolute path of a run directory.", nameof(workingDirectory));
        }

        if (workingDirectory.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The working directory contains a NUL character.", nameof(workingDirectory));
        }

        string full;
        try
        {
            full = Path.GetFullPath(workingDirectory);
        }
        catch (Exception e) when (e is NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            throw new ArgumentException($"'{workingDirectory}' is not a usable working directory: {e.Message}", nameof(workingDirectory), e);
        }

        string trimmed = Path.TrimEndingDirectorySeparator(full);
        if (Path.GetFileName(trimmed).Length == 0)
        {
            throw new ArgumentException(
                $"'{workingDirectory}' resolves to a file-system root; a working directory must be a run directory below it.",
                nameof(workingDirectory));
        }

        return trimmed;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="fileName"/> is a plain <c>*.nodb</c> file name.</summary>
    public static void ValidateFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);

        // The generator's rule, from the same source file: a name it accepts at compile time is accepted here.
        string? problem = Shared.FileNameRules.Problem(fileName);
        if (problem is not null)
        {
            throw new ArgumentException(
                $"'{fileName}' is not a valid controller file name: {problem}. Use a plain name such as 'climate.nodb'.",
                nameof(fileName));
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="runId"/> is a single path segment: whatever the file
    /// system allows as a folder name (on Linux and macOS a backslash, spaces and control characters are ordinary), except
    /// empty, <c>.</c>, <c>..</c>, a separator or NUL.
    /// </summary>
    public static void ValidateRunId(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        bool separator = runId.Contains('/', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && runId.Contains('\\', StringComparison.Ordinal));
        if (runId.Length == 0 || runId is "." or ".." || separator || runId.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"'{runId}' is not a valid run id: a run id is the last segment of a working directory (not empty, '.' or " +
                "'..', with no separator or NUL).",
                nameof(runId));
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is a valid controller file name.</summary>
    public static bool IsDocumentName(string fileName)
    {
        try
        {
            ValidateFileName(fileName);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Resolves <paramref name="fileName"/> inside <paramref name="workingDirectory"/>, proving it stays inside.</summary>
    public static string Combine(string workingDirectory, string fileName)
    {
        string path = Path.Join(workingDirectory, fileName);
        if (!string.Equals(Path.GetDirectoryName(path), workingDirectory, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{fileName}' resolves outside the working directory '{workingDirectory}'.", nameof(fileName));
        }

        return path;
    }
}
