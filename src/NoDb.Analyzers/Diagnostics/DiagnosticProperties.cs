namespace NoDb.Analyzers.Diagnostics;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that the code fixes read.</summary>
public static class DiagnosticProperties
{
    /// <summary>How the controller is named in code: a local, parameter or member name, or <c>this</c>.</summary>
    public const string Controller = "NoDb.Controller";
}
