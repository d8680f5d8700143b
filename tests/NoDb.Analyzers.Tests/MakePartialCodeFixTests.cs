using NoDb.Analyzers.CodeFixes;
using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>
/// NODB100 and NODB104 come from <see cref="ControllerDeclarationAnalyzer"/>, so editors that show no generator
/// diagnostics show them; the fix makes the types partial, and the fixed code compiles with the generator running.
/// </summary>
public sealed class MakePartialCodeFixTests
{
    [Fact]
    public Task Makes_the_controller_and_its_container_partial_and_the_generator_then_succeeds() =>
        Verify.Fix<ControllerDeclarationAnalyzer, MakePartialCodeFixProvider>("""
            public static class {|NODB104:Outer|}
            {
                [NoDb.NoDbController("one.nodb")]
                public sealed class {|NODB100:One|} { public int Counter { get; set; } }
            }
            """, """
            public static partial class Outer
            {
                [NoDb.NoDbController("one.nodb")]
                public sealed partial class One { public int Counter { get; set; } }
            }
            """);

    [Fact]
    public Task Adds_partial_where_there_are_no_modifiers() =>
        Verify.Fix<ControllerDeclarationAnalyzer, MakePartialCodeFixProvider>("""
            [NoDb.NoDbController("two.nodb")]
            class {|NODB100:Two|} { public int Counter { get; set; } }
            """, """
            [NoDb.NoDbController("two.nodb")]
            partial class Two { public int Counter { get; set; } }
            """);
}
