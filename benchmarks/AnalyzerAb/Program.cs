using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// A/B: the same compilation analysed alternately by the analyzer built before and after the change, in one process.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: AnalyzerAb <old NoDb.Analyzers.dll> <new NoDb.Analyzers.dll> [rounds]");
    return 2;
}

string before = Path.GetFullPath(args[0]), after = Path.GetFullPath(args[1]);
int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
CSharpParseOptions parseOptions = NoDb.Benchmarks.AnalyzerWorkload.ParseOptions;
CSharpCompilation compilation = NoDb.Benchmarks.AnalyzerWorkload.Compilation();
CSharpGeneratorDriver.Create([new NoDb.Generators.NoDbControllerGenerator().AsSourceGenerator()], parseOptions: parseOptions)
    .RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out _);

DiagnosticAnalyzer Load(string path)
{
    var context = new AnalyzerContext(path);
    Assembly assembly = context.LoadFromAssemblyPath(path);
    return (DiagnosticAnalyzer)Activator.CreateInstance(assembly.GetType("NoDb.Analyzers.LockDisciplineAnalyzer")!)!;
}

DiagnosticAnalyzer a = Load(before), b = Load(after);
double Run(DiagnosticAnalyzer analyzer, out int count)
{
    var watch = Stopwatch.StartNew();
    ImmutableArray<Diagnostic> diagnostics = generated.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    count = diagnostics.Length;
    return watch.Elapsed.TotalMilliseconds;
}

for (int w = 0; w < 3; w++) { Run(a, out _); Run(b, out _); }
var ta = new List<double>(); var tb = new List<double>();
int ca = 0, cb = 0;
for (int r = 0; r < rounds; r++)
{
    if (r % 2 == 0) { ta.Add(Run(a, out ca)); tb.Add(Run(b, out cb)); }
    else { tb.Add(Run(b, out cb)); ta.Add(Run(a, out ca)); }
}

var ratios = ta.Zip(tb, (x, y) => y / x).ToList();
Console.WriteLine(FormattableString.Invariant($"rounds={rounds} old: median {Median(ta):F1} ms, min {ta.Min():F1} ms ({ca} diagnostics); new: median {Median(tb):F1} ms, min {tb.Min():F1} ms ({cb} diagnostics); per-round new/old median {Median(ratios):F3}, fastest new/fastest old {tb.Min() / ta.Min():F3}"));
return 0;

static double Median(List<double> values)
{
    List<double> sorted = [.. values.OrderBy(x => x)];
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>Loads one build of NoDb.Analyzers; Roslyn and everything else come from the default context.</summary>
internal sealed class AnalyzerContext(string path) : AssemblyLoadContext(isCollectible: false)
{
    protected override Assembly? Load(AssemblyName name) =>
        name.Name == "NoDb.Analyzers" ? LoadFromAssemblyPath(path) : null;
}
