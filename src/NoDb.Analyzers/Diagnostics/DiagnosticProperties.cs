namespace NoDb.Analyzers.Diagnostics;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that the code fixes read.</summary>
public static class DiagnosticProperties
{
    /// <summary>How the controller is named in code: a local, parameter or member name, or <c>this</c>.</summary>
    public const string Controller = "NoDb.Controller";

    /// <summary>What the controller is: <c>this</c>, <c>parameter</c>, <c>local</c> or <c>member</c>.</summary>
    public const string ControllerKind = "NoDb.ControllerKind";

    /// <summary>
    /// The span (<c>start,length</c>) of the body whose lock state the diagnosed code sees: the member, local function
    /// or lambda where a lock taken covers it. Code run at once by the code around it (a <c>List.ForEach</c> lambda, an
    /// <c>UpdateAsync</c> lambda) sees the lock of the body around it.
    /// </summary>
    public const string LockRoot = "NoDb.LockRoot";
}
