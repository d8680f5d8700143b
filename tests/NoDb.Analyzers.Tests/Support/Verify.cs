using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using NoDb.Generators;

namespace NoDb.Analyzers.Tests.Support;

/// <summary>
/// Analyzer and code-fix tests in Microsoft.CodeAnalysis.Testing markup (<c>{|NODB001:c.Counter = 1|}</c>), compiled as a
/// net8.0 consumer of NoDb would be: with the NoDb generator running, so controllers have their generated members.
/// </summary>
internal static class Verify
{
    /// <summary>The controllers every test can use.</summary>
    public const string Controllers = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using NoDb;

        [NoDbController("climate.nodb")]
        public partial class Climate
        {
            private double _scale;
            public int Counter;
            public string? StationId { get; set; }
            public List<int> Years { get; set; } = new();
            public Dictionary<string, int> Index { get; set; } = new();
            public int[] Values { get; set; } = new int[3];
            public Settings Settings { get; set; } = new();
            [NoDbIgnore] public int Hits { get; set; }
            public double Scale => _scale;
            public Climate() { Counter = 0; }
            [RequiresLock] public void ApplyScale(double scale) => _scale = scale;
            public void Describe() { }
        }

        [NoDbController("watershed.nodb")]
        public partial class Watershed
        {
            public int Outlet { get; set; }
        }

        public sealed class Settings
        {
            public string? Mode { get; set; }
        }

        """;

    private static readonly string RuntimeNet8 = typeof(Verify).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NoDbRuntimeNet8").Value!;

    public static Task Diagnostics(string usage, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = Controllers + usage };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    public static Task Fix<TFix>(string usage, string fixedUsage, int codeActionIndex = 0)
        where TFix : CodeFixProvider, new()
    {
        var test = new FixTest<TFix>
        {
            TestCode = Controllers + usage,
            FixedCode = Controllers + fixedUsage,
            CodeActionIndex = codeActionIndex,
        };
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    private static void Configure(AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(RuntimeNet8));
        test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    private sealed class AnalyzerTest : CSharpAnalyzerTest<LockDisciplineAnalyzer, DefaultVerifier>
    {
        public AnalyzerTest() => Configure(this);

        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(NoDbControllerGenerator)];
    }

    private sealed class FixTest<TFix> : CSharpCodeFixTest<LockDisciplineAnalyzer, TFix, DefaultVerifier>
        where TFix : CodeFixProvider, new()
    {
        public FixTest() => Configure(this);

        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(NoDbControllerGenerator)];
    }
}
