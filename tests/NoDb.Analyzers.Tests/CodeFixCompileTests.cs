using NoDb.Analyzers.CodeFixes;
using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>
/// Fixes that always compile. Every case is applied one diagnostic at a time and with Fix All (document, project,
/// solution); both results are compiled with the generator running and must have no diagnostic, compiler warnings included.
/// </summary>
public sealed class CodeFixCompileTests
{
    [Fact]
    public Task A_second_lock_in_the_block_and_an_existing_underscore_get_names_of_their_own() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static int Run(Climate climate, Watershed watershed)
            {
                var _ = climate.Years.Count;
                var climateScope = 3;
                {|NODB001:climate.Counter = 1|};
                {|NODB001:watershed.Outlet = 2|};
                return climateScope;
            }
        }
        """, """
        public static class Usage
        {
            public static int Run(Climate climate, Watershed watershed)
            {
                var _ = climate.Years.Count;
                var climateScope = 3;
                using var climateScope2 = climate.Lock();
                climate.Counter = 1;
                using var watershedScope = watershed.Lock();
                watershed.Outlet = 2;
                return climateScope;
            }
        }
        """);

    [Fact]
    public Task Fix_All_over_a_block_and_a_nested_block_takes_one_lock_at_the_outer_block() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static async Task Run(Climate climate, bool flag)
            {
                await Task.Yield();
                if (flag)
                {
                    {|NODB001:climate.Years.Add(1)|};
                }

                {|NODB001:climate.Counter++|};
            }
        }
        """, """
        public static class Usage
        {
            public static async Task Run(Climate climate, bool flag)
            {
                await Task.Yield();
                if (flag)
                {
                    await using var climateScope = await climate.LockAsync();
                    climate.Years.Add(1);
                }

                await using var climateScope2 = await climate.LockAsync();
                climate.Counter++;
            }
        }
        """, batchFixedUsage: """
        public static class Usage
        {
            public static async Task Run(Climate climate, bool flag)
            {
                await Task.Yield();
                await using var climateScope = await climate.LockAsync();
                if (flag)
                {
                    climate.Years.Add(1);
                }

                climate.Counter++;
            }
        }
        """);

    [Fact]
    public Task Fix_All_over_two_nested_blocks_and_two_controllers() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static void Run(Climate climate, Watershed watershed, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    if (i > 1)
                    {
                        {|NODB001:climate.Years.Add(i)|};
                    }
                    else
                    {
                        {|NODB001:climate.Counter = i|};
                        {|NODB001:watershed.Outlet = i|};
                    }
                }
            }
        }
        """, """
        public static class Usage
        {
            public static void Run(Climate climate, Watershed watershed, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    if (i > 1)
                    {
                        using var climateScope = climate.Lock();
                        climate.Years.Add(i);
                    }
                    else
                    {
                        using var climateScope2 = climate.Lock();
                        climate.Counter = i;
                        using var watershedScope = watershed.Lock();
                        watershed.Outlet = i;
                    }
                }
            }
        }
        """, batchFixedUsage: """
        public static class Usage
        {
            public static void Run(Climate climate, Watershed watershed, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    using var climateScope = climate.Lock();
                    if (i > 1)
                    {
                        climate.Years.Add(i);
                    }
                    else
                    {
                        climate.Counter = i;
                        using var watershedScope = watershed.Lock();
                        watershed.Outlet = i;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Expression_bodied_methods_become_blocks() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static void Bump(Climate climate) => {|NODB001:climate.Counter++|};

            public static int Next(Climate climate) => {|NODB001:climate.Counter++|};

            public static async Task Later(Climate climate) => await Task.Run(() => climate.Counter).ContinueWith(t => {|NODB001:climate.Counter = t.Result|});
        }
        """, """
        public static class Usage
        {
            public static void Bump(Climate climate)
            {
                using var climateScope = climate.Lock();
                climate.Counter++;
            }

            public static int Next(Climate climate)
            {
                using var climateScope = climate.Lock();
                return climate.Counter++;
            }

            public static async Task Later(Climate climate) => await Task.Run(() => climate.Counter).ContinueWith(t =>
            {
                using var climateScope = climate.Lock();
                return climate.Counter = t.Result;
            });
        }
        """);

    [Fact]
    public Task Expression_bodied_lambdas_local_functions_and_properties_become_blocks() => Verify.Fix<LockScopeCodeFixProvider>("""
        public sealed class Holder
        {
            private readonly Climate _climate = Climate.GetInstance("/runs/a");

            public int Next => {|NODB001:_climate.Counter++|};

            public Action Later(Climate climate) => () => {|NODB001:climate.Counter++|};

            public void Run(Climate climate)
            {
                Bump();
                void Bump() => {|NODB001:climate.Years.Add(1)|};
            }
        }
        """, """
        public sealed class Holder
        {
            private readonly Climate _climate = Climate.GetInstance("/runs/a");

            public int Next
            {
                get
                {
                    using var climateScope = _climate.Lock();
                    return _climate.Counter++;
                }
            }

            public Action Later(Climate climate) => () =>
            {
                using var climateScope = climate.Lock();
                climate.Counter++;
            };

            public void Run(Climate climate)
            {
                Bump();
                void Bump()
                {
                    using var climateScope = climate.Lock();
                    climate.Years.Add(1);
                }
            }
        }
        """);

    [Fact]
    public Task A_lambda_run_at_once_is_covered_by_a_lock_around_it() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed)
            {
                climate.Values.ToList().ForEach(v => {|NODB001:climate.Counter += v|});
                await climate.UpdateAsync(c => {|NODB001:watershed.Outlet = c.Counter|});
            }
        }
        """, """
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed)
            {
                await using var climateScope = await climate.LockAsync();
                climate.Values.ToList().ForEach(v => climate.Counter += v);
                await using var watershedScope = await watershed.LockAsync();
                await climate.UpdateAsync(c => watershed.Outlet = c.Counter);
            }
        }
        """);

    [Fact]
    public Task Inside_a_lock_statement_the_lock_is_taken_synchronously() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            private static readonly object Gate = new();

            public static async Task Run(Climate climate)
            {
                await Task.Yield();
                lock (Gate)
                {
                    {|NODB001:climate.Counter++|};
                }
            }
        }
        """, """
        public static class Usage
        {
            private static readonly object Gate = new();

            public static async Task Run(Climate climate)
            {
                await Task.Yield();
                lock (Gate)
                {
                    using var climateScope = climate.Lock();
                    climate.Counter++;
                }
            }
        }
        """);

    [Fact]
    public Task NODB001_on_a_parameter_marks_the_parameter_RequiresLock() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Helpers
        {
            public static void ApplyDefaults(Climate c)
            {
                {|NODB001:c.Years.Clear()|};
                {|NODB001:c.Counter = 0|};
            }

            public static void Reset(this Climate c) => {|NODB001:c.StationId = null|};
        }
        """, """
        public static class Helpers
        {
            public static void ApplyDefaults([RequiresLock] Climate c)
            {
                c.Years.Clear();
                c.Counter = 0;
            }

            public static void Reset([RequiresLock] this Climate c) => c.StationId = null;
        }
        """, codeActionIndex: 1);

    [Fact]
    public Task NODB005_marks_the_callers_parameter_RequiresLock() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Helpers
        {
            public static void Reset([RequiresLock] this Climate c) => c.StationId = null;

            public static void ResetAll(Climate climate, Climate other)
            {
                {|NODB005:climate.Reset()|};
                {|NODB005:climate.ApplyScale(1)|};
                using var otherScope = other.Lock();
                other.Reset();
            }
        }
        """, """
        public static class Helpers
        {
            public static void Reset([RequiresLock] this Climate c) => c.StationId = null;

            public static void ResetAll([RequiresLock] Climate climate, Climate other)
            {
                climate.Reset();
                climate.ApplyScale(1);
                using var otherScope = other.Lock();
                other.Reset();
            }
        }
        """, codeActionIndex: 1);

    [Fact]
    public Task NODB005_takes_the_lock() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Helpers
        {
            public static void Reset([RequiresLock] this Climate c) => c.StationId = null;

            public static async Task ResetAll(Climate climate)
            {
                await Task.Yield();
                {|NODB005:climate.Reset()|};
            }
        }
        """, """
        public static class Helpers
        {
            public static void Reset([RequiresLock] this Climate c) => c.StationId = null;

            public static async Task ResetAll(Climate climate)
            {
                await Task.Yield();
                await using var climateScope = await climate.LockAsync();
                climate.Reset();
            }
        }
        """);

    [Fact]
    public Task NODB005_in_a_controller_method_marks_the_method_RequiresLock() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage { }

        public partial class Climate
        {
            public void Rescale() => {|NODB005:ApplyScale(2)|};
        }
        """, """
        public static class Usage { }

        public partial class Climate
        {
            [RequiresLock]
            public void Rescale() => ApplyScale(2);
        }
        """, codeActionIndex: 1);

    [Fact]
    public Task NODB003_names_a_dropped_scope_uniquely_and_leaves_tokens_alone() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                var scope = climate.Years.Count;
                await {|NODB003:climate.LockAsync()|};
                climate.Counter = scope;
            }
        }
        """, """
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                var scope = climate.Years.Count;
                await using var scope2 = await climate.LockAsync();
                climate.Counter = scope;
            }
        }
        """);

    [Fact]
    public Task Top_level_statements_take_the_lock_before_the_first_statement_that_needs_it() => Verify.FixProgram<LockScopeCodeFixProvider>("""
        Climate shared = Climate.GetInstance("/runs/abc");
        await Task.Yield();
        {|NODB001:shared.Years.Add(2024)|};
        if (shared.Counter > 0)
        {
            {|NODB001:shared.Counter = 0|};
        }
        """, """
        Climate shared = Climate.GetInstance("/runs/abc");
        await Task.Yield();
        await using var sharedScope = await shared.LockAsync();
        shared.Years.Add(2024);
        if (shared.Counter > 0)
        {
            shared.Counter = 0;
        }
        """);

    [Fact]
    public Task Fix_All_keeps_the_lock_inside_a_lambda_that_may_run_later() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static Func<Task> Later(Climate climate) => async () =>
            {
                await Task.Yield();
                {|NODB001:climate.Counter++|};
                {|NODB001:climate.Years.Add(1)|};
            };
        }
        """, """
        public static class Usage
        {
            public static Func<Task> Later(Climate climate) => async () =>
            {
                await Task.Yield();
                await using var climateScope = await climate.LockAsync();
                climate.Counter++;
                climate.Years.Add(1);
            };
        }
        """);
}
