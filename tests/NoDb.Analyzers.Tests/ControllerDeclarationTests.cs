using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>
/// A controller that cannot be generated: NODB100/NODB104 from the analyzer (once: the generator no longer reports them),
/// and no lock diagnostics about it, since it has no lock to take.
/// </summary>
public sealed class ControllerDeclarationTests
{
    [Fact]
    public Task NODB100_and_NODB104_for_every_type_that_is_not_partial() => Verify.Diagnostics<ControllerDeclarationAnalyzer>("""
        using NoDb;

        public class {|NODB104:Outer|}
        {
            public partial class Middle
            {
                [NoDbController("one.nodb")]
                public class {|NODB100:One|} { public int Counter { get; set; } }
            }
        }

        [NoDbController("two.nodb")]
        public partial class Two { public int Counter { get; set; } }

        public class NotAController { }
        """);

    [Fact]
    public Task Lock_rules_stay_quiet_about_a_controller_that_cannot_be_generated() => Verify.Diagnostics<LockDisciplineAnalyzer>("""
        using NoDb;

        [NoDbController("broken.nodb")]
        public class Broken
        {
            public int Counter { get; set; }

            [RequiresLock]
            public void Bump() => Counter++;
        }

        [NoDbController("generic.nodb")]
        public partial class {|NODB103:Generic|}<T>
        {
            public int Counter { get; set; }
        }

        public static class Usage
        {
            public static void Run(Broken broken, Generic<int> generic)
            {
                broken.Counter = 1;
                broken.Bump();
                generic.Counter = 2;
                Helper(broken);
            }

            private static void Helper([RequiresLock] Broken broken) => broken.Counter++;
        }
        """);
}
