using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NoDb.Benchmarks;

/// <summary>
/// The analyzer benchmarks' workload: one file of 200 methods (about 4,000 lines) with scopes, branches, loops, lambdas and
/// tokens, compiled against NoDb. Shared by the BenchmarkDotNet suite and the A/B harness (a linked source file).
/// </summary>
internal static class AnalyzerWorkload
{
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.CSharp12);

    /// <summary>The compilation of the workload, before the generator runs.</summary>
    public static CSharpCompilation Compilation()
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
        return CSharpCompilation.Create(
            "Large",
            [CSharpSyntaxTree.ParseText(source.ToString(), ParseOptions)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }
}
