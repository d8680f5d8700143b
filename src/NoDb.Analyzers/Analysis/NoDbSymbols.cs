using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NoDb.Analyzers.Analysis;

/// <summary>What the analysis needs to know about NoDb's types in one compilation.</summary>
internal sealed class NoDbSymbols
{
    private readonly INamedTypeSymbol _controllerAttribute;
    private readonly INamedTypeSymbol? _requiresLockAttribute;
    private readonly ConcurrentDictionary<ISymbol, bool> _persisted = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _controllers = new(SymbolEqualityComparer.Default);

    private NoDbSymbols(INamedTypeSymbol controllerAttribute, INamedTypeSymbol? requiresLockAttribute)
    {
        _controllerAttribute = controllerAttribute;
        _requiresLockAttribute = requiresLockAttribute;
    }

    /// <summary>The symbols, or <see langword="null"/> when the compilation does not reference NoDb.</summary>
    public static NoDbSymbols? From(Compilation compilation) =>
        compilation.GetTypeByMetadataName("NoDb.NoDbControllerAttribute") is { } controller
            ? new NoDbSymbols(
                controller,
                compilation.GetTypeByMetadataName("NoDb.RequiresLockAttribute"))
            : null;

    public INamedTypeSymbol ControllerAttribute => _controllerAttribute;

    /// <summary>
    /// Whether <paramref name="type"/> is a controller that NoDb generated. A controller the generator refused (not
    /// partial, generic, …) has no lock to hold: its own diagnostic says why, and the lock rules stay quiet about it.
    /// </summary>
    public bool IsController(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && _controllers.GetOrAdd(named.OriginalDefinition, t => IsDeclaredController(t) && IsGenerated(t));

    /// <summary>Whether <paramref name="type"/> carries <c>[NoDbController]</c>, generated or not.</summary>
    public bool IsDeclaredController(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _controllerAttribute));

    /// <summary>Whether <paramref name="parameter"/> is a [RequiresLock] parameter of a controller type (also through overrides).</summary>
    public bool IsRequiresLockParameter(IParameterSymbol parameter)
    {
        if (_requiresLockAttribute is null || !IsController(parameter.Type))
        {
            return false;
        }

        for (IMethodSymbol? method = parameter.ContainingSymbol as IMethodSymbol; method is not null; method = method.OverriddenMethod)
        {
            if (parameter.Ordinal < method.Parameters.Length && HasAttribute(method.Parameters[parameter.Ordinal], _requiresLockAttribute))
            {
                return true;
            }
        }

        return HasAttribute(parameter, _requiresLockAttribute);
    }

    // A controller compiled into a referenced assembly was generated there; one in source was generated here when one of
    // its parts is the generator's output.
    private static bool IsGenerated(INamedTypeSymbol type) =>
        !type.Locations.Any(l => l.IsInSource)
        || type.DeclaringSyntaxReferences.Any(r => r.SyntaxTree.FilePath.EndsWith(".NoDb.g.cs", System.StringComparison.Ordinal));

    /// <summary>Whether <paramref name="member"/> is a persisted field or auto-property of a controller.</summary>
    public bool IsPersisted(ISymbol member) => _persisted.GetOrAdd(member, m =>
        !m.IsStatic && IsController(m.ContainingType) && Shared.PersistedMembers.IsPersisted(m)); // the generator's own rule

    public bool RequiresLock(ISymbol member)
    {
        for (ISymbol? current = member; current is not null; current = Overridden(current))
        {
            if (HasAttribute(current, _requiresLockAttribute))
            {
                return true;
            }
        }

        return member is IMethodSymbol { AssociatedSymbol: IPropertySymbol property } && RequiresLock(property);
    }

    private static ISymbol? Overridden(ISymbol symbol) => symbol switch
    {
        IMethodSymbol method => method.OverriddenMethod,
        IPropertySymbol property => property.OverriddenProperty,
        _ => null,
    };

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute) =>
        attribute is not null && symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));
}
