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
        var source = new StringBuilder("""
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using NoDb;

            [NoDbController("climate.nodb")]
            public partial class Climate
            {
                public int Counter;
                public List<int> Years { get; set; } = new();
                public string? StationId { get; set; }
            }

            public static class Usage
            {

            """);
        for (int i = 0; i < 200; i++)
        {
            source.Append(CultureInfo.InvariantCulture, $$"""
                    public static async Task Method{{i}}(Climate climate, bool flag)
                    {
                        if (flag)
                        {
                            await using var scope = await climate.LockAsync();
                            for (int y = 0; y < 3; y++) { climate.Years.Add(y); }
                            climate.Counter++;
                        }
                        else
                        {
                            var token = await climate.AcquireLockAsync();
                            try { climate.StationId = "S{{i}}"; }
                            finally { await climate.DumpAndUnlockAsync(token); }
                        }

                        await climate.UpdateAsync(c => c.Years.RemoveAll(y => y > {{i}}));
                        climate.Counter = climate.Years.Sum();
                    }

                """);
        }

        source.Append("}\n");
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal))
            .Append(typeof(NoDbRuntime).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p));
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);
        var compilation = CSharpCompilation.Create(
            "Large",
            [CSharpSyntaxTree.ParseText(source.ToString(), parseOptions)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
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
