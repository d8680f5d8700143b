using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NoDb.Generators.Diagnostics;
using NoDb.Generators.Model;

namespace NoDb.Generators.Parsing;

/// <summary>Reads a <c>[NoDbController]</c> class into a <see cref="ControllerSpec"/> and the diagnostics about it.</summary>
internal static class ControllerParser
{
    public const string ControllerAttribute = "NoDb.NoDbControllerAttribute";
    private const string NameAttribute = "NoDb.NoDbNameAttribute";

    /// <summary>The members NoDb generates; a persisted member or any other member with one of these names clashes.</summary>
    private static readonly ImmutableHashSet<string> GeneratedNames = ImmutableHashSet.Create(Shared.GeneratedMemberNames.All);

    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword };

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        Location location = syntax.Identifier.GetLocation();
        AttributeData attribute = context.Attributes[0];
        Location attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? location;
        bool canGenerate = true;

        // Not partial (NODB100, NODB104): reported by the analyzers, so that every editor shows it, once.
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            canGenerate = false;
        }

        string? fileName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        FileNameClaim? claim = null;
        if (Shared.FileNameRules.Problem(fileName) is { } problem)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFileName, attributeLocation, fileName ?? "", problem));
            canGenerate = false;
        }
        else
        {
            claim = new FileNameClaim(fileName!, type.ToDisplayString(), LocationInfo.From(attributeLocation));
        }

        if (type.IsGenericType || ContainingTypes(type).Any(t => t.IsGenericType))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Generic, location, type.Name));
            canGenerate = false;
        }

        string? notConcrete =
            type.IsStatic ? "static" :
            type.IsAbstract ? "abstract" :
            type.IsRecord ? "a record (its 'with' copies would share one document and one lock)" :
            syntax.Modifiers.Any(SyntaxKind.FileKeyword) ? "file-local (its generated half would be another type)" :
            BaseTypes(type).FirstOrDefault(IsController) is { } baseController ? $"derived from controller '{baseController.Name}' (each controller owns one document)" :
            null;
        if (notConcrete is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotConcrete, location, type.Name, notConcrete));
            canGenerate = false;
        }

        var containers = new List<ContainingTypeSpec>();
        foreach (TypeDeclarationSyntax container in syntax.Ancestors().OfType<TypeDeclarationSyntax>().Reverse())
        {
            if (!container.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                canGenerate = false;
            }

            containers.Add(new ContainingTypeSpec(Keyword(container), Identifier(container.Identifier.ValueText)));
        }

        if (!type.IsStatic && !type.InstanceConstructors.Any(c => c.Parameters.All(p => p.IsOptional || p.IsParams)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoParameterlessConstructor, location, type.Name));
            canGenerate = false;
        }

        foreach (ISymbol member in BaseTypes(type).Prepend(type).SelectMany(t => t.GetMembers()))
        {
            bool own = SymbolEqualityComparer.Default.Equals(member.ContainingType, type);
            if (!member.IsImplicitlyDeclared && GeneratedNames.Contains(member.Name) && (own || member.DeclaredAccessibility != Accessibility.Private))
            {
                Location? at = own ? member.Locations.FirstOrDefault() : location;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservedMemberName, at, member.Name, type.Name));
                canGenerate = false;
            }

            if (member is IFieldSymbol { IsRequired: true } or IPropertySymbol { IsRequired: true })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RequiredMember, member.Locations.FirstOrDefault() ?? location, type.Name, member.Name));
                canGenerate = false;
            }
        }

        List<MemberSpec> members = ParseMembers(type, diagnostics, cancellationToken, ref canGenerate);

        ControllerSpec? spec = canGenerate
            ? new ControllerSpec(
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                new EquatableArray<ContainingTypeSpec>(containers),
                Identifier(type.Name),
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                fileName!,
                new EquatableArray<MemberSpec>(members))
            : null;

        return new ParseResult(spec, claim, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    private static List<MemberSpec> ParseMembers(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, ref bool canGenerate)
    {
        var members = new List<MemberSpec>();
        var jsonNames = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();

            // What counts as persisted is decided once, for the generator and the analyzers alike.
            if (Shared.PersistedMembers.PersistedThrough(field) is not { } declared)
            {
                continue;
            }

            ITypeSymbol memberType;
            string? notAssignable;
            if (declared is IPropertySymbol property)
            {
                memberType = property.Type;
                notAssignable = property.ExplicitInterfaceImplementations.Length > 0 ? "an explicit interface implementation"
                    : property.SetMethod is null ? "a get-only property"
                    : property.SetMethod.IsInitOnly ? "an init-only property"
                    : null;
            }
            else
            {
                memberType = field.Type;
                notAssignable = field.IsReadOnly ? "a readonly field" : null;
            }

            Location? memberLocation = declared.Locations.FirstOrDefault();
            if (notAssignable is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNotAssignable, memberLocation, declared.Name, type.Name, notAssignable));
                canGenerate = false;
                continue;
            }

            TypeSpec? typeSpec = TypeSpecParser.Parse(memberType);
            if (typeSpec is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedMemberType, memberLocation, declared.Name, memberType.ToDisplayString()));
                canGenerate = false;
                continue;
            }

            (string jsonName, string[] aliases) = JsonNames(declared);
            foreach (string name in aliases.Prepend(jsonName))
            {
                if (jsonNames.TryGetValue(name, out string? owner))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateJsonName, memberLocation, owner, declared.Name, type.Name, name));
                    canGenerate = false;
                }
                else
                {
                    jsonNames[name] = declared.Name;
                }
            }

            members.Add(new MemberSpec(Identifier(declared.Name), jsonName, new EquatableArray<string>(aliases), typeSpec));
        }

        return members;
    }

    private static (string Name, string[] Aliases) JsonNames(ISymbol member)
    {
        AttributeData? rename = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == NameAttribute);
        if (rename is null || rename.ConstructorArguments.Length == 0 || rename.ConstructorArguments[0].Value is not string name)
        {
            return (member.Name, []);
        }

        string[] aliases = rename.ConstructorArguments.Length > 1 && rename.ConstructorArguments[1].Kind == TypedConstantKind.Array
            ? rename.ConstructorArguments[1].Values.Select(v => v.Value as string).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToArray()
            : [];
        return (name, aliases);
    }

    private static IEnumerable<INamedTypeSymbol> BaseTypes(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            yield return current;
        }
    }

    private static bool IsController(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ControllerAttribute);

    private static bool HasAttribute(ISymbol symbol, string name) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);

    private static IEnumerable<INamedTypeSymbol> ContainingTypes(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            yield return container;
        }
    }

    private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: (int)SyntaxKind.StructKeyword } => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
