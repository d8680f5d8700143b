using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NoDb.Generators;

namespace NoDb.Benchmarks;

/// <summary>The generator's time on a compilation with 1, 100 and 1,000 controllers (a cold run: nothing cached).</summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;

    [Params(1, 100, 1000)]
    public int Controllers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var source = new StringBuilder("using System.Collections.Generic;\nusing NoDb;\nnamespace Runs;\n");
        for (int i = 0; i < Controllers; i++)
        {
            source.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
                [NoDbController("controller{{i}}.nodb")]
                public partial class Controller{{i}}
                {
                    public string? StationId { get; set; }
                    public List<int> Years { get; set; } = new();
                    public Dictionary<string, double?> Parameters { get; set; } = new();
                    public int Counter;
                    [NoDbIgnore] public int Hits { get; set; }
                }

                """);
        }

        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal))
            .Append(typeof(NoDbRuntime).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p));
        _compilation = CSharpCompilation.Create(
            "Bench",
            [CSharpSyntaxTree.ParseText(source.ToString(), new CSharpParseOptions(LanguageVersion.CSharp12))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    [Benchmark(Description = "NoDbControllerGenerator (cold run)")]
    public GeneratorDriverRunResult Generate() =>
        CSharpGeneratorDriver.Create(new NoDbControllerGenerator()).RunGenerators(_compilation).GetRunResult();
}
