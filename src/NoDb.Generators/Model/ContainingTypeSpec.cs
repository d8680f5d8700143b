namespace NoDb.Generators.Model;

/// <summary>A type a controller is nested in, as its partial declaration is written: <c>partial class Outer</c>.</summary>
/// <param name="Keyword">class, struct, record, record struct or interface.</param>
/// <param name="Name">The type's name.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);
