using Microsoft.CodeAnalysis;
using NoDb.Diagnostics;

namespace NoDb.Analyzers.Diagnostics;

/// <summary>The lock-discipline diagnostics. Each has a page under docs/diagnostics.</summary>
internal static class Descriptors
{
    private const string Category = "NoDb.Locking";

    public static readonly DiagnosticDescriptor MutationWithoutLock = Create(
        Shared.DiagnosticIds.MutationWithoutLock, DiagnosticSeverity.Error,
        "Persisted state is changed without the controller's lock",
        "Writing '{0}' requires holding the lock of '{1}'");

    public static readonly DiagnosticDescriptor ForeignToken = Create(
        Shared.DiagnosticIds.ForeignToken, DiagnosticSeverity.Error,
        "A lock token is used with another controller",
        "The token of '{0}' cannot {1} '{2}'; use the token that '{2}' returned");

    public static readonly DiagnosticDescriptor NotReleased = Create(
        Shared.DiagnosticIds.NotReleased, DiagnosticSeverity.Warning,
        "A lock is not released on every path",
        "The lock of '{0}' taken here is not released on every path; use 'using' (or 'await using'), or release the token");

    public static readonly DiagnosticDescriptor LockedAgain = Create(
        Shared.DiagnosticIds.LockedAgain, DiagnosticSeverity.Warning,
        "A controller is locked again while its lock is held",
        "The lock of '{0}' is already held here; NoDb locks are not re-entrant and this throws NoDbLockRecursionException");

    public static readonly DiagnosticDescriptor RequiresLockCalledWithoutLock = Create(
        Shared.DiagnosticIds.RequiresLockCalledWithoutLock, DiagnosticSeverity.Error,
        "A [RequiresLock] member is called without the lock",
        "Calling '{0}' requires holding the lock of '{1}'");

    public static readonly DiagnosticDescriptor MutationMayOutliveScope = Create(
        Shared.DiagnosticIds.MutationInDeferredCode, DiagnosticSeverity.Warning,
        "Persisted state is changed in code that may run after the lock is released",
        "Writing '{0}' in this {1} may happen after the lock of '{2}' is released; do the work inside the scope, or await it there");

    /// <summary>NODB100, reported by an analyzer so that every editor shows it (many show no generator diagnostics).</summary>
    public static readonly DiagnosticDescriptor NotPartial = Create(
        Shared.DiagnosticIds.NotPartial, DiagnosticSeverity.Error,
        "A NoDb controller must be partial",
        "Controller '{0}' must be declared 'partial' so that NoDb can add its members",
        DeclarationCategory);

    /// <summary>NODB104, reported by an analyzer for the same reason as NODB100.</summary>
    public static readonly DiagnosticDescriptor ContainerNotPartial = Create(
        Shared.DiagnosticIds.ContainerNotPartial, DiagnosticSeverity.Error,
        "A type containing a NoDb controller must be partial",
        "Type '{0}', which contains controller '{1}', must be declared 'partial'",
        DeclarationCategory);

    private const string DeclarationCategory = "NoDb.Generator";

    private static DiagnosticDescriptor Create(string id, DiagnosticSeverity severity, string title, string message, string category = Category) => new(
        id,
        title,
        message,
        category,
        severity,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For(id));
}
