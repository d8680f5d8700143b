using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>[RequiresLock] on parameters, the <c>this</c> of extension methods included: held in the body, required at every call.</summary>
public sealed class RequiresLockParameterTests
{
    private const string Helpers = """
        public static class Helpers
        {
            public static void ApplyDefaults([RequiresLock] Climate c)
            {
                c.Years.Clear();
                c.Counter = 0;
            }

            public static void Reset([RequiresLock] this Climate c) => c.StationId = null;

            public static void Both([RequiresLock] Climate c, Watershed w, [RequiresLock] Watershed locked)
            {
                c.Counter++;
                locked.Outlet = 1;
            }
        }

        """;

    // ---- the body is analysed as if the lock were held ----

    [Fact]
    public Task The_body_of_a_helper_and_of_an_extension_method_is_quiet() => Verify.Diagnostics(Helpers);

    [Fact]
    public Task Only_the_marked_parameter_is_held_in_the_body() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run([RequiresLock] Climate c, Climate other, Watershed w)
            {
                c.Counter = 1;
                {|NODB001:other.Counter = 1|};
                {|NODB001:w.Outlet = 1|};
            }
        }
        """);

    [Fact]
    public Task A_local_function_parameter_and_a_controller_method_parameter() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                using (climate.Lock())
                {
                    Bump(climate);
                }

                {|NODB005:Bump(climate)|};

                static void Bump([RequiresLock] Climate c) => c.Counter++;
            }
        }

        public partial class Climate
        {
            public void CopyTo([RequiresLock] Climate target) => target.Counter = Counter;
        }
        """);

    [Fact]
    public Task Overrides_inherit_the_parameter_attribute() => Verify.Diagnostics("""
        public abstract class Step
        {
            public abstract void Apply([RequiresLock] Climate c);
        }

        public sealed class Scale : Step
        {
            public override void Apply(Climate c) => c.Counter *= 2;
        }

        public static class Usage
        {
            public static void Run(Step step, Climate climate) => {|NODB005:step.Apply(climate)|};
        }
        """);

    // ---- every call site must hold the lock ----

    [Fact]
    public Task Call_sites_without_the_lock_are_NODB005() => Verify.Diagnostics(Helpers + """
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed, bool flag)
            {
                {|NODB005:Helpers.ApplyDefaults(climate)|};
                {|NODB005:climate.Reset()|};
                {|NODB005:Helpers.Reset(climate)|};
                using (watershed.Lock())
                {
                    {|NODB005:Helpers.Both(climate, watershed, watershed)|};
                }

                if (flag)
                {
                    using var scope = climate.Lock();
                }

                {|NODB005:climate.Reset()|};
                await using (await climate.LockAsync())
                {
                }

                {|NODB005:Helpers.ApplyDefaults(climate)|};
            }
        }
        """);

    [Fact]
    public Task Call_sites_that_hold_the_lock_are_quiet() => Verify.Diagnostics(Helpers + """
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed, string wd)
            {
                await using (await climate.LockAsync())
                {
                    Helpers.ApplyDefaults(climate);
                    climate.Reset();
                    using var w = watershed.Lock();
                    Helpers.Both(climate, new Watershed(), watershed);
                }

                await climate.UpdateAsync(c => c.Reset());
                await climate.UpdateAsync(Helpers.ApplyDefaults);
                Climate.Create(wd, c => Helpers.ApplyDefaults(c));
                var token = await climate.AcquireLockAsync();
                climate.Reset();
                await climate.DumpAndUnlockAsync(token);
                new Climate().Reset();
            }

            public static void Forward([RequiresLock] Climate climate)
            {
                climate.Reset();
                Helpers.ApplyDefaults(climate);
            }
        }
        """);

    [Fact]
    public Task A_constructor_parameter_and_an_unknown_receiver() => Verify.Diagnostics("""
        public sealed class Editor
        {
            private readonly Climate _climate;

            public Editor([RequiresLock] Climate climate)
            {
                _climate = climate;
                climate.Counter = 1;
            }
        }

        public static class Usage
        {
            public static void Run(Climate climate, string wd)
            {
                _ = {|NODB005:new Editor(climate)|};
                using (climate.Lock())
                {
                    _ = new Editor(climate);
                }

                _ = new Editor(Climate.GetInstance(wd));
            }
        }
        """);

    [Fact]
    public Task A_deferred_lambda_calling_a_helper_after_the_scope_is_NODB006() => Verify.Diagnostics(Helpers + """
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                Action later;
                using (climate.Lock())
                {
                    later = () => {|NODB006:climate.Reset()|};
                }

                later();
            }
        }
        """);
}
