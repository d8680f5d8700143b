namespace NoDb;

/// <summary>Thrown when <c>Create</c> finds the controller's document already in the working directory.</summary>
public sealed class NoDbAlreadyExistsException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbAlreadyExistsException(string filePath)
        : base($"'{filePath}' already exists. Open it with GetInstance, or delete it before creating it again.")
    {
        FilePath = filePath;
    }
}
