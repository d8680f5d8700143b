using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NoDb.Analyzers;
using NoDb.Generators;

namespace NoDb.Benchmarks;

/// <summary>The lock-discipline analyzer on one large file: 200 methods with scopes, branches, loops, lambdas and tokens.</summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private Compilation _compilation = null!;
    private ImmutableArray<DiagnosticAnalyzer> _analyzers;
    private ImmutableArray<DiagnosticAnalyzer> _all;

    [GlobalSetup]
    public void Setup()
    {
        CSharpParseOptions parseOptions = AnalyzerWorkload.ParseOptions;
        CSharpCompilation compilation = AnalyzerWorkload.Compilation();
        CSharpGeneratorDriver.Create([new NoDbControllerGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out _compilation, out _);
        _analyzers = [new LockDisciplineAnalyzer()];
        _all = [new LockDisciplineAnalyzer(), new ControllerDeclarationAnalyzer()];
    }

    [Benchmark(Baseline = true, Description = "Floor: an analyzer that only builds each body's CFG")]
    public ImmutableArray<Diagnostic> Floor() =>
        _compilation.WithAnalyzers([new ControlFlowGraphOnlyAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "LockDisciplineAnalyzer, 200 methods (~4,000 lines)")]
    public ImmutableArray<Diagnostic> Analyze() =>
        _compilation.WithAnalyzers(_analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "Every NoDb analyzer (lock discipline + NODB100/NODB104), same file")]
    public ImmutableArray<Diagnostic> AnalyzeAll() =>
        _compilation.WithAnalyzers(_all).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>Registers what the real analyzer registers and asks Roslyn for the same graphs, then does nothing.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class ControlFlowGraphOnlyAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Unused = new("BENCH", "unused", "unused", "bench", DiagnosticSeverity.Hidden, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Unused];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationBlockAction(block =>
            {
                foreach (IOperation root in block.OperationBlocks)
                {
                    try
                    {
                        _ = block.GetControlFlowGraph(root);
                    }
                    catch (ArgumentException)
                    {
                    }
                }
            });
        }
    }
}
