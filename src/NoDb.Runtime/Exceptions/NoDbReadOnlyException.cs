namespace NoDb;

/// <summary>Thrown when a lock or a write is asked of a run marked read-only by a <c>READONLY</c> file.</summary>
public sealed class NoDbReadOnlyException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbReadOnlyException(string filePath, string markerPath)
        : base($"'{filePath}' belongs to a read-only run ('{markerPath}' exists): it cannot be locked or written. " +
               "Remove the READONLY marker to allow changes.")
    {
        FilePath = filePath;
    }
}
