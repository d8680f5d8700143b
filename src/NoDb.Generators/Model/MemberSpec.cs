namespace NoDb.Generators.Model;

/// <summary>One persisted field or auto-property.</summary>
/// <param name="Name">The C# name, escaped with <c>@</c> when it is a keyword.</param>
/// <param name="JsonName">The name written to the document.</param>
/// <param name="Aliases">Legacy names also accepted when reading.</param>
/// <param name="Type">How the member is read and written.</param>
internal sealed record MemberSpec(string Name, string JsonName, EquatableArray<string> Aliases, TypeSpec Type);
