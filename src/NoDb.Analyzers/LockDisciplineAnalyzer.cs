using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using NoDb.Analyzers.Analysis;
using NoDb.Analyzers.Diagnostics;

namespace NoDb.Analyzers;

/// <summary>
/// Checks lock discipline while code is typed: persisted state of a NoDb controller is changed only where that
/// controller's lock is held on every path (NODB001), tokens go back to their own controller (NODB002), locks are
/// released (NODB003) and not taken twice (NODB004), [RequiresLock] members are called under the lock (NODB005), and
/// lambdas that may run after a scope ends do not change state (NODB006).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LockDisciplineAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The .editorconfig key that adds method names to the mutating-method table, comma-separated.</summary>
    public const string MutatorsOption = "nodb.mutating_methods";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.MutationWithoutLock,
        Descriptors.ForeignToken,
        Descriptors.NotReleased,
        Descriptors.LockedAgain,
        Descriptors.RequiresLockCalledWithoutLock,
        Descriptors.MutationMayOutliveScope);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (NoDbSymbols.From(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationBlockAction(block => AnalyzeBlock(block, symbols));
        });
    }

    private static void AnalyzeBlock(OperationBlockAnalysisContext block, NoDbSymbols symbols)
    {
        ImmutableHashSet<LockKey> initial = InitialHeld(block.OwningSymbol, symbols);
        foreach (IOperation root in block.OperationBlocks)
        {
            // Bodies of methods, accessors, constructors, and expression bodies. Field and property initializers run during
            // construction (exempt, as constructors are); attribute arguments and parameter defaults write nothing.
            if (root.Kind is OperationKind.Attribute or OperationKind.ParameterInitializer or OperationKind.FieldInitializer or OperationKind.PropertyInitializer)
            {
                continue;
            }

            ControlFlowGraph graph;
            try
            {
                graph = block.GetControlFlowGraph(root);
            }
            catch (System.ArgumentException)
            {
                continue; // not a body the compiler can lower (or half-typed code)
            }

            var analysis = new LockFlowAnalysis(symbols, Mutators(block, root), block.ReportDiagnostic);
            analysis.Analyze(graph, initial, deferred: null, outer: null, fixRoot: root.Syntax);
        }
    }

    private static ImmutableHashSet<LockKey> InitialHeld(ISymbol owner, NoDbSymbols symbols)
    {
        if (owner is not IMethodSymbol method)
        {
            return ImmutableHashSet<LockKey>.Empty;
        }

        ImmutableHashSet<LockKey> held = LockFlowAnalysis.RequiresLockParameters(method, symbols);
        if (symbols.IsController(method.ContainingType) && (method.MethodKind == MethodKind.Constructor || symbols.RequiresLock(method)))
        {
            held = held.Add(LockKey.This);
        }

        return held;
    }

    private static ImmutableHashSet<string> Mutators(OperationBlockAnalysisContext block, IOperation root)
    {
        AnalyzerConfigOptions options = block.Options.AnalyzerConfigOptionsProvider.GetOptions(root.Syntax.SyntaxTree);
        return options.TryGetValue(MutatorsOption, out string? extra) && !string.IsNullOrWhiteSpace(extra)
            ? OperationFacts.DefaultMutators.Union(extra.Split(',').Select(name => name.Trim()).Where(name => name.Length > 0))
            : OperationFacts.DefaultMutators;
    }
}
