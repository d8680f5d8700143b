namespace NoDb.Generators.Model;

/// <summary>Everything the emitter needs to write one controller's members; no symbols, no syntax.</summary>
/// <param name="Namespace">The namespace, or <see langword="null"/> for the global namespace.</param>
/// <param name="ContainingTypes">The types the controller is nested in, outermost first.</param>
/// <param name="Name">The controller's name.</param>
/// <param name="FullName">Its fully qualified name, <c>global::MyApp.Climate</c>.</param>
/// <param name="FileName">The document's file name.</param>
/// <param name="Members">The persisted members, in declaration order.</param>
internal sealed record ControllerSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string Name,
    string FullName,
    string FileName,
    EquatableArray<MemberSpec> Members)
{
    /// <summary>The hint name of the generated file: <c>MyApp.Outer.Climate.NoDb.g.cs</c>.</summary>
    public string HintName => FullName.Replace("global::", string.Empty).Replace("@", string.Empty) + ".NoDb.g.cs";
}
