using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
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

    public static Task Diagnostics(string usage, params DiagnosticResult[] expected) => Diagnostics<LockDisciplineAnalyzer>(Controllers + usage, expected);

    /// <summary>Runs <typeparamref name="TAnalyzer"/> over <paramref name="source"/> as it is (no controllers added).</summary>
    public static Task Diagnostics<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new NoDbAnalyzerTest<TAnalyzer> { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Applies the fix one diagnostic at a time (<paramref name="fixedUsage"/>) and with Fix All in the document, project
    /// and solution (<paramref name="batchFixedUsage"/>, the same unless given). Both results are compiled with the
    /// generator running and must have no diagnostic at all, compiler warnings included.
    /// </summary>
    public static Task Fix<TFix>(string usage, string fixedUsage, int codeActionIndex = 0, string? batchFixedUsage = null)
        where TFix : CodeFixProvider, new() =>
        Fix<LockDisciplineAnalyzer, TFix>(Controllers + usage, Controllers + fixedUsage, codeActionIndex, batchFixedUsage is null ? null : Controllers + batchFixedUsage);

    /// <summary>As <see cref="Fix{TFix}(string, string, int, string?)"/> for a program of top-level statements.</summary>
    public static Task FixProgram<TFix>(string statements, string fixedStatements)
        where TFix : CodeFixProvider, new()
    {
        int types = Controllers.IndexOf("[NoDbController", StringComparison.Ordinal);
        string Program(string body) => Controllers[..types] + body + "\n" + Controllers[types..];
        return Fix<LockDisciplineAnalyzer, TFix>(Program(statements), Program(fixedStatements), outputKind: OutputKind.ConsoleApplication);
    }

    /// <summary>As <see cref="Fix{TFix}(string, string, int, string?)"/>, with another analyzer and no controllers added.</summary>
    public static Task Fix<TAnalyzer, TFix>(string source, string fixedSource, int codeActionIndex = 0, string? batchFixedSource = null, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new FixTest<TAnalyzer, TFix>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = codeActionIndex,
        };
        test.TestState.OutputKind = outputKind;
        test.FixedState.OutputKind = outputKind;
        if (batchFixedSource is not null)
        {
            test.BatchFixedCode = batchFixedSource;
        }

        // A fix whose result draws a compiler warning would fail a build with TreatWarningsAsErrors.
        test.CompilerDiagnostics = CompilerDiagnostics.Warnings;
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    private static void Configure(AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(RuntimeNet8));
        test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;

        // As a consumer project compiles: nullable on; public members need no XML comments.
        test.DisabledDiagnostics.Add("CS1591");
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithNullableContextOptions(NullableContextOptions.Enable));
        });
    }

    private sealed class NoDbAnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        public NoDbAnalyzerTest() => Configure(this);

        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(NoDbControllerGenerator)];
    }

    private sealed class FixTest<TAnalyzer, TFix> : CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        public FixTest() => Configure(this);

        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(NoDbControllerGenerator)];
    }
}
