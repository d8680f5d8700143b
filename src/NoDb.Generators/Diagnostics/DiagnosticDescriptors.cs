using Microsoft.CodeAnalysis;
using NoDb.Diagnostics;

namespace NoDb.Generators.Diagnostics;

/// <summary>
/// The diagnostics the NoDb generator reports. Each has a page under docs/diagnostics. NODB100 and NODB104 (not
/// partial) are the analyzers': editors that show no generator diagnostics still show them, and each appears once.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NoDb.Generator";

    public static readonly DiagnosticDescriptor InvalidFileName = Error(
        Shared.DiagnosticIds.InvalidFileName,
        "The controller file name is invalid",
        "'{0}' is not a valid controller file name: {1}; use a plain name such as 'climate.nodb'");

    public static readonly DiagnosticDescriptor DuplicateFileName = Error(
        Shared.DiagnosticIds.DuplicateFileName,
        "Two controllers use the same file name",
        "Controllers '{0}' and '{1}' both store their state in '{2}'; give each controller its own file name");

    public static readonly DiagnosticDescriptor Generic = Error(
        Shared.DiagnosticIds.Generic,
        "A NoDb controller cannot be generic",
        "Controller '{0}' is generic or nested in a generic type; a controller must be a non-generic class");

    public static readonly DiagnosticDescriptor NoParameterlessConstructor = Error(
        Shared.DiagnosticIds.NoParameterlessConstructor,
        "A NoDb controller needs a parameterless constructor",
        "Controller '{0}' needs a parameterless constructor (it may be private) so that NoDb can create instances to read documents into");

    public static readonly DiagnosticDescriptor MemberNotAssignable = Error(
        Shared.DiagnosticIds.MemberNotAssignable,
        "A persisted member cannot be assigned",
        "Persisted member '{0}' of '{1}' is {2}; NoDb refreshes controllers in place, so give it a setter (it may be private) or mark it [NoDbIgnore]");

    public static readonly DiagnosticDescriptor ReservedMemberName = Error(
        Shared.DiagnosticIds.ReservedMemberName,
        "A member has the name of a generated member",
        "'{0}' of '{1}' has the name of a member NoDb generates; rename it");

    public static readonly DiagnosticDescriptor NotConcrete = Error(
        Shared.DiagnosticIds.UnsupportedControllerKind,
        "A NoDb controller must be a concrete class",
        "Controller '{0}' is {1}; a controller must be a non-abstract, non-static class");

    public static readonly DiagnosticDescriptor UnsupportedMemberType = Error(
        Shared.DiagnosticIds.UnsupportedMemberType,
        "A persisted member's type cannot be stored as JSON",
        "Persisted member '{0}' has type '{1}', which cannot be stored in a document (pointers, delegates, ref structs and tuples cannot; use a record for a tuple); mark it [NoDbIgnore]");

    public static readonly DiagnosticDescriptor DuplicateJsonName = Error(
        Shared.DiagnosticIds.DuplicateJsonName,
        "Two persisted members share a JSON name",
        "Persisted members '{0}' and '{1}' of '{2}' both read or write the JSON name '{3}'; give one of them another [NoDbName]");

    public static readonly DiagnosticDescriptor RequiredMember = Error(
        Shared.DiagnosticIds.RequiredMember,
        "A NoDb controller cannot have required members",
        "Controller '{0}' has the required member '{1}'; NoDb creates blank instances to read documents into, so drop 'required' (a document supplies the value)");

    private static DiagnosticDescriptor Error(string id, string title, string message) => new(
        id,
        title,
        message,
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For(id));
}
