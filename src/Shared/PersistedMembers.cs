// Linked into NoDb.Generators and NoDb.Analyzers: what counts as persisted state (see DESIGN.md), decided once, so that
// the generator writes exactly the members the analyzers guard.
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NoDb.Shared;

/// <summary>
/// Persisted state: every instance field and auto-property declared in the controller, whatever its accessibility, except
/// <c>static</c>, <c>const</c> and <c>[NoDbIgnore]</c> members.
/// </summary>
internal static class PersistedMembers
{
    public const string IgnoreAttribute = "NoDb.NoDbIgnoreAttribute";

    /// <summary>
    /// The member persisted through <paramref name="field"/>: the field itself, or the auto-property it backs; or
    /// <see langword="null"/> when it persists nothing (static, const, ignored, or a compiler-made field such as an event's).
    /// </summary>
    public static ISymbol? PersistedThrough(IFieldSymbol field)
    {
        if (field.IsStatic || field.IsConst)
        {
            return null;
        }

        ISymbol? declared = field.AssociatedSymbol is IPropertySymbol { IsIndexer: false } property ? property
            : field.IsImplicitlyDeclared || field.AssociatedSymbol is not null ? null
            : field;

        return declared is not null && !IsIgnored(declared) ? declared : null;
    }

    /// <summary>Whether <paramref name="member"/> (a field or property of <paramref name="member"/>'s type) is persisted.</summary>
    public static bool IsPersisted(ISymbol member) => member switch
    {
        IFieldSymbol field => SymbolEqualityComparer.Default.Equals(PersistedThrough(field), field),
        IPropertySymbol property => !property.IsStatic && property.ContainingType.GetMembers().OfType<IFieldSymbol>()
            .Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property) && PersistedThrough(f) is not null),
        _ => false,
    };

    private static bool IsIgnored(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == IgnoreAttribute)
            {
                return true;
            }
        }

        return false;
    }
}
