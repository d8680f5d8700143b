using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NoDb.Generators.Model;
using NoDb.Generators.Tests.Support;

namespace NoDb.Generators.Tests;

/// <summary>The pipeline caches: a second run, or an edit elsewhere, regenerates nothing; the model holds no compiler objects.</summary>
public sealed class IncrementalTests
{
    private const string Controller = """
        namespace Runs;

        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate
        {
            [NoDb.NoDbName("stationId", "station_id")] public string? StationId { get; set; }
            public System.Collections.Generic.List<int> Years { get; set; } = new();
        }
        """;

    private static readonly string[] Steps =
        [TrackingNames.Parse, TrackingNames.Specs, TrackingNames.Diagnostics, TrackingNames.FileNameClaims];

    [Fact]
    public void A_second_run_on_the_same_compilation_is_all_cached()
    {
        GeneratorRun first = GeneratorHarness.Run(Controller);

        GeneratorDriver second = first.Driver.RunGenerators(first.Input.Clone());

        AssertAllCachedOrUnchanged(second.GetRunResult());
    }

    [Fact]
    public void An_unrelated_edit_regenerates_nothing()
    {
        GeneratorRun first = GeneratorHarness.Run(Controller, "namespace Runs; public class Other { }");
        CSharpCompilation edited = first.Input.ReplaceSyntaxTree(
            first.Input.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace Runs; public class Other { public int Added; }", GeneratorHarness.ParseOptions, path: "Source1.cs"));

        GeneratorDriver second = first.Driver.RunGenerators(edited);

        AssertAllCachedOrUnchanged(second.GetRunResult());
    }

    [Fact]
    public void Moving_the_controller_down_a_line_leaves_the_generated_source_cached()
    {
        GeneratorRun first = GeneratorHarness.Run(Controller);
        CSharpCompilation moved = first.Input.ReplaceSyntaxTree(
            first.Input.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText("// a comment\n" + Controller, GeneratorHarness.ParseOptions, path: "Source0.cs"));

        GeneratorDriver second = first.Driver.RunGenerators(moved);

        // The spec has no locations, so it is unchanged; only the diagnostics' claim carries positions.
        IncrementalGeneratorRunStep specs = second.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Specs].Single();
        Assert.All(specs.Outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void The_model_holds_no_symbol_syntax_node_or_compilation()
    {
        GeneratorRun run = GeneratorHarness.Run(Controller, """
            [NoDb.NoDbController("broken")]
            public class NotPartial { public readonly int X; }
            """);

        var tracked = run.Result.Results.Single().TrackedSteps;
        Assert.Contains(TrackingNames.Diagnostics, tracked.Keys);
        foreach (IncrementalGeneratorRunStep step in Steps.Where(tracked.ContainsKey).SelectMany(name => tracked[name]))
        {
            foreach ((object value, _) in step.Outputs)
            {
                AssertNoCompilerObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step.Name ?? "?");
            }
        }
    }

    private static void AssertAllCachedOrUnchanged(GeneratorDriverRunResult result)
    {
        var tracked = result.Results.Single().TrackedSteps;
        Assert.Contains(TrackingNames.Parse, tracked.Keys);
        Assert.Contains(TrackingNames.Specs, tracked.Keys);
        foreach (string name in Steps.Where(tracked.ContainsKey))
        {
            foreach (IncrementalGeneratorRunStep step in tracked[name])
            {
                Assert.All(step.Outputs, o => Assert.True(
                    o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {name} output was {o.Reason}"));
            }
        }
    }

    private static void AssertNoCompilerObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree,
            $"{path} holds a {value.GetType().Name}");

        if (value is DiagnosticDescriptor or Microsoft.CodeAnalysis.Text.TextSpan or Microsoft.CodeAnalysis.Text.LinePositionSpan)
        {
            return; // plain values
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertNoCompilerObjects(item, seen, $"{path}[{i++}]");
            }

            return;
        }

        foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoCompilerObjects(field.GetValue(value), seen, $"{path}.{field.Name}");
        }
    }
}
