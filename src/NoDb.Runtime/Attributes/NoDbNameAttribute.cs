namespace NoDb;

/// <summary>
/// Sets the JSON name of a persisted member, and the legacy names still accepted when a document is read.
/// </summary>
/// <remarks>Documents are always written with <see cref="Name"/>; any of <see cref="Aliases"/> is accepted on read.</remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class NoDbNameAttribute : Attribute
{
    /// <summary>Names the member <paramref name="name"/> in the document, accepting <paramref name="aliases"/> when reading.</summary>
    /// <param name="name">The JSON member name written to the document.</param>
    /// <param name="aliases">Legacy names accepted when reading, for documents written by older builds.</param>
    public NoDbNameAttribute(string name, params string[] aliases)
    {
        Name = name;
        Aliases = aliases ?? [];
    }

    /// <summary>The JSON member name written to the document.</summary>
    public string Name { get; }

    /// <summary>Legacy member names accepted when reading.</summary>
    public IReadOnlyList<string> Aliases { get; }
}
