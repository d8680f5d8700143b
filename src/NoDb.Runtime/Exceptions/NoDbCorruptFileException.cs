namespace NoDb;

/// <summary>
/// Thrown when a document cannot be read as the controller's JSON. The file is left untouched.
/// </summary>
public sealed class NoDbCorruptFileException : NoDbException
{
    /// <summary>Creates the exception naming the file and the position of the fault.</summary>
    public NoDbCorruptFileException(string filePath, long lineNumber, long bytePositionInLine, string problem, Exception? innerException = null)
        : base($"'{filePath}' is not a valid document at line {lineNumber}, byte {bytePositionInLine}: {problem} " +
               "The file was left untouched; repair it by hand or restore it from a backup.", innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        BytePositionInLine = bytePositionInLine;
    }

    /// <summary>The 1-based line of the fault.</summary>
    public long LineNumber { get; }

    /// <summary>The 0-based byte offset of the fault within its line.</summary>
    public long BytePositionInLine { get; }
}
