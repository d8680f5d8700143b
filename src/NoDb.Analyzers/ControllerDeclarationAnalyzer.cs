using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NoDb.Analyzers.Diagnostics;

namespace NoDb.Analyzers;

/// <summary>
/// NODB100 and NODB104: a controller, or a type that contains one, is not <c>partial</c>, so the generator cannot add
/// its members. Reported here rather than by the generator (as CommunityToolkit.Mvvm does) because many editors show
/// analyzer diagnostics but not generator ones; without this, such an editor shows only CS1061 on <c>LockAsync</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ControllerDeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.NotPartial, Descriptors.ContainerNotPartial);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName("NoDb.NoDbControllerAttribute") is not { } attribute)
            {
                return;
            }

            start.RegisterSymbolAction(symbol => Analyze(symbol, attribute), SymbolKind.NamedType);
        });
    }

    // Each type reports what is wrong with its own declarations, so every diagnostic is local to the symbol analysed
    // (editors analyse open files symbol by symbol): NODB100 on the controller, NODB104 on each container.
    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        foreach (TypeDeclarationSyntax declaration in ControllerDeclarations(type, attribute, context.CancellationToken))
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.NotPartial, declaration.Identifier.GetLocation(), type.Name));
            }
        }

        if (type.GetTypeMembers().IsEmpty)
        {
            return;
        }

        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is not TypeDeclarationSyntax container || container.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                continue;
            }

            foreach (INamedTypeSymbol controller in NestedTypes(type))
            {
                if (ControllerDeclarations(controller, attribute, context.CancellationToken).Any(container.Contains))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.ContainerNotPartial, container.Identifier.GetLocation(), container.Identifier.ValueText, controller.Name));
                }
            }
        }
    }

    /// <summary>The declarations of <paramref name="type"/> that carry <c>[NoDbController]</c>.</summary>
    private static IEnumerable<TypeDeclarationSyntax> ControllerDeclarations(INamedTypeSymbol type, INamedTypeSymbol attribute, CancellationToken cancellationToken)
    {
        foreach (AttributeData applied in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(applied.AttributeClass, attribute)
                && applied.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } declaration)
            {
                yield return declaration;
            }
        }
    }

    private static IEnumerable<INamedTypeSymbol> NestedTypes(INamedTypeSymbol type)
    {
        foreach (INamedTypeSymbol nested in type.GetTypeMembers())
        {
            yield return nested;
            foreach (INamedTypeSymbol deeper in NestedTypes(nested))
            {
                yield return deeper;
            }
        }
    }
}
