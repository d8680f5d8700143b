using Microsoft.CodeAnalysis;
using NoDb.Generators.Tests.Support;

namespace NoDb.Generators.Tests;

/// <summary>Each shape that cannot be supported gets a diagnostic, and no broken code.</summary>
public sealed class GeneratorDiagnosticTests
{
    [Theory]
    [InlineData("""
        [NoDb.NoDbController("climate.nodb")]
        public class Climate { public int Counter; }
        """)]
    [InlineData("""
        public class Outer
        {
            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate { public int Counter; }
        }
        """)]
    public void NODB100_and_NODB104_not_partial_generates_nothing_and_leaves_the_report_to_the_analyzers(string source)
    {
        // The analyzers report NODB100/NODB104 (every editor shows analyzer diagnostics); the generator reporting them too
        // would show each twice in a build.
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("a..climate.nodb", "'..'")]
    [InlineData("../climate.nodb", "directory separator")]
    [InlineData("runs/climate.nodb", "directory separator")]
    [InlineData("climate.json", "'.nodb'")]
    [InlineData("", "empty")]
    [InlineData(".nodb", "no name")]
    public void NODB101_an_invalid_file_name(string fileName, string problem) => Expect("NODB101", $$"""
        [NoDb.NoDbController("{{fileName}}")]
        public partial class Climate { public int Counter; }
        """, problem);

    [Fact]
    public void NODB102_two_controllers_with_one_file_name()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate { public int Counter; }
            """, """
            [NoDb.NoDbController("climate.nodb")]
            public partial class Weather { public int Counter; }
            """);

        Diagnostic duplicate = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NODB102", duplicate.Id);
        Assert.Contains("'Climate' and 'Weather'", duplicate.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Source1.cs", duplicate.Location.GetLineSpan().Path);
    }

    [Fact]
    public void NODB103_a_generic_controller() => Expect("NODB103", """
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate<T> { public int Counter; }
        """, "Climate");

    [Fact]
    public void NODB103_a_controller_nested_in_a_generic_type() => Expect("NODB103", """
        public partial class Outer<T>
        {
            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate { public int Counter; }
        }
        """, "Climate");

    [Fact]
    public void NODB105_no_parameterless_constructor() => Expect("NODB105", """
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate
        {
            public Climate(int counter) => Counter = counter;
            public int Counter;
        }
        """, "Climate");

    [Theory]
    [InlineData("public readonly int Counter;", "a readonly field")]
    [InlineData("public int Counter { get; init; }", "an init-only property")]
    [InlineData("public System.Collections.Generic.List<int> Years { get; } = new();", "a get-only property")]
    public void NODB106_a_member_that_cannot_be_assigned(string member, string why) => Expect("NODB106", $$"""
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate { {{member}} }
        """, why);

    [Theory]
    [InlineData("public string FilePath { get; set; } = \"\";")]
    [InlineData("public void LockAsync() { }")]
    [InlineData("public static void GetInstance() { }")]
    public void NODB107_a_member_named_like_a_generated_one(string member) => Expect("NODB107", $$"""
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate { {{member}} }
        """, "has the name of a member NoDb generates");

    [Fact]
    public void NODB108_an_abstract_controller() => Expect("NODB108", """
        [NoDb.NoDbController("climate.nodb")]
        public abstract partial class Climate { public int Counter; }
        """, "abstract");

    [Fact]
    public void NODB108_a_static_controller_and_nothing_else() => Expect("NODB108", """
        [NoDb.NoDbController("climate.nodb")]
        public static partial class Climate { }
        """, "static", only: true);

    [Fact]
    public void NODB108_a_record_controller() => Expect("NODB108", """
        [NoDb.NoDbController("ash.nodb")]
        public partial record Ash { public double Depth { get; set; } }
        """, "a record");

    [Fact]
    public void NODB108_a_file_local_controller() => Expect("NODB108", """
        [NoDb.NoDbController("climate.nodb")]
        file partial class Climate { public int Counter; }
        """, "file-local");

    [Fact]
    public void NODB108_a_controller_derived_from_a_controller() => Expect("NODB108", """
        [NoDb.NoDbController("base.nodb")]
        public partial class Base { public int Counter; }

        [NoDb.NoDbController("derived.nodb")]
        public partial class Derived : Base { public int More; }
        """, "derived from controller 'Base'", allowSourcesFor: "Base");

    [Fact]
    public void NODB107_a_nested_type_or_an_inherited_member_named_like_a_generated_member()
    {
        Expect("NODB107", """
            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate { public class Lock { } }
            """, "'Lock'");
        Expect("NODB107", """
            public class Base { public string RunId { get; set; } = ""; }

            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate : Base { public int Counter; }
            """, "'RunId'");
    }

    [Fact]
    public void NODB106_an_explicitly_implemented_interface_property() => Expect("NODB106", """
        public interface IHas { int X { get; set; } }

        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate : IHas { int IHas.X { get; set; } }
        """, "an explicit interface implementation");

    [Fact]
    public void NODB109_a_tuple_member() => Expect("NODB109", """
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate { public (int A, string B) Pair; }
        """, "Pair");

    [Fact]
    public void NODB111_a_required_member() => Expect("NODB111", """
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate { public required int Counter { get; set; } }
        """, "'Counter'");

    [Fact]
    public void NODB102_file_names_that_differ_only_by_case()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate { public int Counter; }

            [NoDb.NoDbController("Climate.nodb")]
            public partial class Weather { public int Counter; }
            """);

        Assert.Equal("NODB102", Assert.Single(run.GeneratorDiagnostics).Id);
    }

    [Fact]
    public void NODB109_a_member_type_that_cannot_be_stored() => Expect("NODB109", """
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate { public System.Action? OnChange { get; set; } }
        """, "OnChange");

    [Fact]
    public void NODB110_two_members_with_one_json_name() => Expect("NODB110", """
        [NoDb.NoDbController("climate.nodb")]
        public partial class Climate
        {
            [NoDb.NoDbName("years", "legacy")] public int First;
            [NoDb.NoDbName("second", "legacy")] public int Second;
        }
        """, "'legacy'");

    [Fact]
    public void Ignored_members_of_any_type_are_fine()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            [NoDb.NoDbController("climate.nodb")]
            public partial class Climate
            {
                [NoDb.NoDbIgnore] public System.Action? OnChange { get; set; }
                [NoDb.NoDbIgnore] public readonly int Fixed = 3;
                public event System.EventHandler? Changed;
                public int Counter;
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.DoesNotContain("OnChange", run.Sources.Single().SourceText.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Changed", run.Sources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    private static void Expect(string id, string source, string messageFragment, bool only = false, string? allowSourcesFor = null)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(messageFragment, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.NotEqual(Location.None, diagnostic.Location);
        // A link to the page in the package, or none (here the generator runs from the build output, not the package).
        string link = diagnostic.Descriptor.HelpLinkUri;
        Assert.True(link.Length == 0 || File.Exists(new Uri(link).LocalPath), link);
        if (only)
        {
            Assert.Single(run.GeneratorDiagnostics);
        }

        // No broken code: nothing is generated for the controller in error.
        Assert.All(run.Sources, s => Assert.StartsWith(allowSourcesFor ?? "<none>", s.HintName, StringComparison.Ordinal));
    }
}
