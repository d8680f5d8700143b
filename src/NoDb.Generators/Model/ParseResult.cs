namespace NoDb.Generators.Model;

/// <summary>What parsing one <c>[NoDbController]</c> class gave: the spec (when code can be generated) and its diagnostics.</summary>
/// <param name="Spec">The controller, or <see langword="null"/> when an error prevents generating it.</param>
/// <param name="FileNameClaim">The file name and where it was declared, for the duplicate check across controllers.</param>
/// <param name="Diagnostics">Errors and warnings about this controller.</param>
internal sealed record ParseResult(ControllerSpec? Spec, FileNameClaim? FileNameClaim, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A controller's claim on a document file name.</summary>
internal sealed record FileNameClaim(string FileName, string ControllerName, LocationInfo? Location);
