using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>NODB002 (foreign token), NODB003 (not released), NODB004 (locked again), NODB005 ([RequiresLock]), NODB006 (deferred).</summary>
public sealed class Nodb002To006Tests
{
    // ---- NODB002 ----

    [Fact]
    public Task NODB002_a_token_of_one_controller_unlocks_dumps_or_releases_another() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate a, Climate b, Watershed w)
            {
                NoDbLockToken token = await a.AcquireLockAsync();
                a.Counter = 1;
                await b.DumpAsync({|NODB002:token|});
                await w.UnlockAsync({|NODB002:token|});
                await b.DumpAndUnlockAsync({|NODB002:token|});
                await a.DumpAndUnlockAsync(token);
            }
        }
        """);

    [Fact]
    public Task NODB002_a_scope_token_given_to_another_controller() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate a, Climate b)
            {
                await using var scope = await a.LockAsync();
                await b.DumpAsync({|NODB002:scope.Token|});
            }
        }
        """);

    [Fact]
    public Task NODB002_quiet_for_the_right_controller_an_alias_and_an_unknown_token() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate a, NoDbLockToken fromElsewhere)
            {
                var alias = a;
                NoDbLockToken token = await a.AcquireLockAsync();
                await alias.DumpAsync(token);
                await a.DumpAndUnlockAsync(token);
                await a.UnlockAsync(fromElsewhere);
            }
        }
        """);

    // ---- NODB003 ----

    [Fact]
    public Task NODB003_a_scope_that_is_dropped_or_never_disposed() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed)
            {
                await {|NODB003:climate.LockAsync()|};
                var scope = {|NODB003:watershed.Lock()|};
                watershed.Outlet = 1;
            }
        }
        """);

    [Fact]
    public Task NODB003_a_token_not_unlocked_on_every_path() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate, bool save)
            {
                NoDbLockToken token = await {|NODB003:climate.AcquireLockAsync()|};
                if (save)
                {
                    await climate.DumpAndUnlockAsync(token);
                }
            }
        }
        """);

    [Fact]
    public Task NODB003_quiet_for_using_unlock_on_every_path_and_scopes_that_leave_the_method() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task<NoDbLockScope> Run(Climate climate, Watershed watershed, bool save)
            {
                using (climate.Lock())
                {
                }

                NoDbLockToken token = await climate.AcquireLockAsync();
                if (save)
                {
                    await climate.DumpAndUnlockAsync(token);
                }
                else
                {
                    await climate.UnlockAsync(token);
                }

                var handedBack = await watershed.LockAsync();
                return handedBack;
            }
        }
        """);

    // ---- NODB004 ----

    [Fact]
    public Task NODB004_locking_again_while_held() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await using var first = await climate.LockAsync();
                await using var second = await {|NODB004:climate.LockAsync()|};
                var token = await {|NODB004:climate.AcquireLockAsync()|};
                await climate.UnlockAsync(token);
            }
        }
        """);

    [Fact]
    public Task NODB004_quiet_after_release_and_for_another_controller() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate, Climate other)
            {
                await using (await climate.LockAsync())
                {
                    await using var second = await other.LockAsync();
                }

                await using var again = await climate.LockAsync();
            }
        }
        """);

    // ---- NODB005 ----

    [Fact]
    public Task NODB005_a_RequiresLock_member_called_without_the_lock() => Verify.Diagnostics("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                {|NODB005:climate.ApplyScale(2)|};
                using (climate.Lock())
                {
                }

                {|NODB005:climate.ApplyScale(3)|};
            }
        }

        public partial class Climate
        {
            public void Unsafe() => {|NODB005:ApplyScale(1)|};
        }
        """);

    [Fact]
    public Task NODB005_quiet_under_the_lock_in_UpdateAsync_and_in_another_RequiresLock_member() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                using (climate.Lock())
                {
                    climate.ApplyScale(2);
                }

                await climate.UpdateAsync(c => c.ApplyScale(3));
                climate.Describe();
            }
        }

        public partial class Climate
        {
            [RequiresLock]
            public void Twice() => ApplyScale(Scale * 2);
        }
        """);

    // ---- NODB006 ----

    [Fact]
    public Task NODB006_a_lambda_or_local_function_that_may_run_after_the_scope() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                Task background;
                Action later;
                await using (await climate.LockAsync())
                {
                    background = Task.Run(() => {|NODB006:climate.Counter++|});
                    later = () => {|NODB006:climate.Years.Add(1)|};
                    IEnumerable<int> deferred = climate.Values.Select(v => {|NODB006:climate.Counter = v|});
                    Func<int> local = Bump;
                    int Bump() => {|NODB006:climate.Counter++|};
                }

                await background;
                later();
            }
        }
        """);

    [Fact]
    public Task NODB006_quiet_for_awaited_tasks_eager_calls_and_local_functions_called_in_the_scope() => Verify.Diagnostics("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await using (await climate.LockAsync())
                {
                    await Task.Run(() => climate.Counter++);
                    climate.Years.ForEach(y => climate.Counter += y);
                    int total = climate.Values.Sum(v => climate.Counter = v);
                    Bump();
                }

                void Bump() => climate.Counter++;
            }
        }
        """);

    [Fact]
    public Task A_lambda_made_outside_any_scope_is_NODB001_not_NODB006() => Verify.Diagnostics("""
        public static class Usage
        {
            public static Action Run(Climate climate) => () => {|NODB001:climate.Counter++|};
        }
        """);
}
