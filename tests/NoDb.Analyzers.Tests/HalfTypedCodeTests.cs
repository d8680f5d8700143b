using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NoDb.Analyzers.Tests.Support;
using NoDb.Generators;

namespace NoDb.Analyzers.Tests;

/// <summary>The analyzers run on every keystroke: code in the middle of being typed must never make them throw (AD0001).</summary>
public sealed class HalfTypedCodeTests
{
    [Theory]
    [InlineData("climate.Counter = ;")]
    [InlineData("climate.Years.Add(")]
    [InlineData("using var s = climate.")]
    [InlineData("await using (await climate.LockAsync() {")]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.UnlockAsync(")]
    [InlineData("await climate.UpdateAsync(c => { c.Counter++ ")]
    [InlineData("(climate.Counter, ) = (1, 2);")]
    [InlineData("if (await climate.TryLockAsync() is { } s) { climate.Counter = 1; ")]
    [InlineData("try { using var s = climate.Lock(); } catch (")]
    [InlineData("climate.Unknown.Member = 3; undefined.Counter++; Missing(ref climate.Counter);")]
    [InlineData("for (;;) { using var s = climate.Lock(); climate.Counter++; continue; }")]
    [InlineData("goto end; using var s = climate.Lock(); end: climate.Counter = 1;")]
    public async Task Half_typed_code_never_makes_the_analyzer_throw(string body)
    {
        string source = Verify.Controllers + $$"""
            public static class Usage
            {
                public static async Task Run(Climate climate)
                {
                    {{body}}
                }
            }
            """;
        var failures = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            (exception, analyzer, _) => failures.Add($"{analyzer}: {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);

        Compilation compilation = Compilation(source);
        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers([new LockDisciplineAnalyzer()], options)
            .GetAllDiagnosticsAsync(TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }

    private static Compilation Compilation(string source)
    {
        string runtime = typeof(HalfTypedCodeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NoDbRuntimeNet8").Value!;
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(runtime));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "HalfTyped",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp12))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(new NoDbControllerGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out Compilation withGenerated, out _);
        return withGenerated;
    }
}
