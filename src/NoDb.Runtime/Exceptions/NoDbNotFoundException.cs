namespace NoDb;

/// <summary>Thrown when a controller's document does not exist in the working directory.</summary>
public sealed class NoDbNotFoundException : NoDbException
{
    /// <summary>Creates the exception for the document at <paramref name="filePath"/>.</summary>
    public NoDbNotFoundException(string filePath)
        : base($"'{filePath}' does not exist. Create it first with Create/CreateAsync, or use TryGetInstance to test for it.")
    {
        FilePath = filePath;
    }
}
