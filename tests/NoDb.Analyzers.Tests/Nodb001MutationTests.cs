using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>NODB001: persisted state changed where the controller's lock is not held on every path.</summary>
public sealed class Nodb001MutationTests
{
    // ---- flagged ----

    [Fact]
    public Task Assignment_outside_any_scope() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate) => {|NODB001:climate.Counter = 1|};
        }
        """);

    [Fact]
    public Task Compound_assignment_increment_and_coalescing_assignment() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                {|NODB001:climate.Counter += 2|};
                {|NODB001:climate.Counter--|};
                {|NODB001:climate.StationId ??= "S"|};
            }
        }
        """);

    [Fact]
    public Task Collection_mutations_and_indexer_sets() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                {|NODB001:climate.Years.Add(2020)|};
                {|NODB001:climate.Years.Clear()|};
                {|NODB001:climate.Years.Sort()|};
                {|NODB001:climate.Index["a"] = 1|};
                {|NODB001:climate.Values[0] = 1|};
            }
        }
        """);

    [Fact]
    public Task Write_to_a_member_of_a_persisted_object() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate) => {|NODB001:climate.Settings.Mode = "fast"|};
        }
        """);

    [Fact]
    public Task Ref_and_out_arguments_and_deconstruction() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                Interlocked.Increment({|NODB001:ref climate.Counter|});
                int.TryParse("3", {|NODB001:out climate.Counter|});
                {|NODB001:(climate.Counter, climate.StationId) = (1, "S")|};
            }
        }
        """);

    [Fact]
    public Task After_the_scope_ends() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await using (await climate.LockAsync())
                {
                    climate.Counter = 1;
                }

                {|NODB001:climate.Counter = 2|};
            }
        }
        """);

    [Fact]
    public Task When_the_lock_is_taken_on_one_branch_only() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate, bool flag)
            {
                NoDbLockScope? scope = null;
                if (flag)
                {
                    scope = climate.Lock();
                }

                {|NODB001:climate.Counter = 1|};
                scope?.Dispose();
            }
        }
        """);

    [Fact]
    public Task In_catch_after_a_using_inside_try_released_the_lock() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                try
                {
                    using var scope = climate.Lock();
                    climate.Counter = 1;
                }
                catch (InvalidOperationException)
                {
                    {|NODB001:climate.Counter = 0|};
                }
            }
        }
        """);

    [Fact]
    public Task When_another_controller_of_the_same_class_is_locked() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate first, Climate second)
            {
                using var scope = first.Lock();
                first.Counter = 1;
                {|NODB001:second.Counter = 1|};
            }
        }
        """);

    [Fact]
    public Task Inside_a_switch_expression_arm_outside_the_scope() => Verify.Diagnostics("""
        public static class Usage
        {
            public static int Run(Climate climate, int mode) => mode switch
            {
                0 => {|NODB001:climate.Counter = 5|},
                _ => 0,
            };
        }
        """);

    [Fact]
    public Task In_a_controller_method_without_RequiresLock() => Verify.Diagnostics("""
        public static class Usage { }

        public partial class Climate
        {
            public void Bump() => {|NODB001:Counter++|};
        }
        """);

    [Fact]
    public Task After_an_early_return_path_that_released() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate, bool stop)
            {
                var scope = climate.Lock();
                if (stop)
                {
                    scope.Dispose();
                }

                {|NODB001:climate.Counter = 1|};
                scope.Dispose(); // a second Dispose is harmless
            }
        }
        """);

    // ---- not flagged ----

    [Fact]
    public Task Inside_await_using_declaration_and_using_statement_and_sync_using() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await using (var scope = await climate.LockAsync())
                {
                    climate.Counter = 1;
                    climate.Years.Add(1);
                }

                using (climate.Lock())
                {
                    climate.Settings.Mode = "m";
                }

                await using var held = await climate.LockAsync().ConfigureAwait(false);
                climate.Values[1] = 2;
                (climate.Counter, climate.StationId) = (1, "S");
            }
        }
        """);

    [Fact]
    public Task Inside_UpdateAsync_Create_and_CreateAsync_lambdas() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate, string wd)
            {
                await climate.UpdateAsync(c => c.Counter++);
                await climate.UpdateAsync(c => climate.Years.Add(1));
                Climate.Create(wd, c => c.StationId = "S");
                await Climate.CreateAsync(wd, c => { c.Years.Add(3); return ValueTask.CompletedTask; });
            }
        }
        """);

    [Fact]
    public Task After_TryLockAsync_checked_non_null() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await using var scope = await climate.TryLockAsync();
                if (scope is null)
                {
                    return;
                }

                climate.Counter = 1;
            }
        }
        """);

    [Fact]
    public Task Between_AcquireLockAsync_and_the_unlock_of_that_token() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                NoDbLockToken token = await climate.AcquireLockAsync();
                climate.Counter = 1;
                await climate.DumpAndUnlockAsync(token);
            }
        }
        """);

    [Fact]
    public Task In_constructors_RequiresLock_members_and_through_an_alias() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                var same = climate;
                using var scope = climate.Lock();
                same.Counter = 1;
            }
        }

        public partial class Climate
        {
            public Climate(int start) { Counter = start; Years.Add(start); }

            [RequiresLock]
            public void Reset() { Counter = 0; Years.Clear(); }
        }
        """);

    [Fact]
    public Task Ignored_members_reads_and_fresh_objects() => Verify.Diagnostics("""
        public static class Usage
        {
            public static int Run(Climate climate)
            {
                climate.Hits++;
                var fresh = new Climate();
                fresh.Counter = 3;
                var initialised = new Climate { Counter = 4, StationId = "S" };
                return climate.Counter + climate.Years.Count + initialised.Counter;
            }
        }
        """);

    [Fact]
    public Task In_a_loop_inside_the_scope_and_in_finally_inside_it() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                using var scope = climate.Lock();
                for (int i = 0; i < 3; i++)
                {
                    climate.Years.Add(i);
                }

                try
                {
                    climate.Counter = 1;
                }
                finally
                {
                    climate.Counter = 2;
                }
            }
        }
        """);

    [Fact]
    public Task Unknown_identity_stays_quiet() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(string wd, Climate[] all)
            {
                Climate.GetInstance(wd).Counter = 1;
                all[0].Counter = 1;
            }
        }
        """);

    [Fact]
    public Task A_user_mutator_from_editorconfig_and_a_switch_expression_inside_the_scope() => Verify.Diagnostics("""
        public static class Usage
        {
            public static int Run(Climate climate, int mode)
            {
                using var scope = climate.Lock();
                return mode switch
                {
                    0 => climate.Counter = 5,
                    _ => 0,
                };
            }
        }
        """);
}
