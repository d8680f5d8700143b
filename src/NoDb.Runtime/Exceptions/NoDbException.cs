namespace NoDb;

/// <summary>The base of every exception NoDb throws about documents and their locks.</summary>
public abstract class NoDbException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    protected NoDbException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    protected NoDbException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The document this exception is about, when there is one.</summary>
    public string? FilePath { get; init; }
}
