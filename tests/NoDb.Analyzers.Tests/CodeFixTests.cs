using NoDb.Analyzers.CodeFixes;
using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>The code fixes, one at a time and with Fix All (which the testing framework runs on every multi-diagnostic case).</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task NODB001_takes_the_lock_in_async_code_once_per_block() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await Task.Yield();
                {|NODB001:climate.Counter++|};
                {|NODB001:climate.Years.Add(1)|};
            }
        }
        """, """
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await Task.Yield();
                await using var climateScope = await climate.LockAsync();
                climate.Counter++;
                climate.Years.Add(1);
            }
        }
        """);

    [Fact]
    public Task NODB001_takes_the_lock_in_sync_code() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                var year = 2020;
                {|NODB001:climate.Years.Add(year)|};
            }
        }
        """, """
        public static class Usage
        {
            public static void Run(Climate climate)
            {
                var year = 2020;
                using var climateScope = climate.Lock();
                climate.Years.Add(year);
            }
        }
        """);

    [Fact]
    public Task NODB001_marks_a_controller_method_RequiresLock() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage { }

        public partial class Climate
        {
            public void Bump()
            {
                {|NODB001:Counter++|};
            }
        }
        """, """
        public static class Usage { }

        public partial class Climate
        {
            [RequiresLock]
            public void Bump()
            {
                Counter++;
            }
        }
        """, codeActionIndex: 1);

    [Fact]
    public Task NODB003_puts_scopes_in_using() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed)
            {
                var scope = await {|NODB003:climate.LockAsync()|};
                climate.Counter = 1;
            }

            public static void Sync(Watershed watershed)
            {
                var scope = {|NODB003:watershed.Lock()|};
                watershed.Outlet = 2;
            }
        }
        """, """
        public static class Usage
        {
            public static async Task Run(Climate climate, Watershed watershed)
            {
                await using var scope = await climate.LockAsync();
                climate.Counter = 1;
            }

            public static void Sync(Watershed watershed)
            {
                using var scope = watershed.Lock();
                watershed.Outlet = 2;
            }
        }
        """);

    [Fact]
    public Task NODB003_keeps_a_dropped_scope_in_a_using_declaration() => Verify.Fix<LockScopeCodeFixProvider>("""
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await {|NODB003:climate.LockAsync()|};
                climate.Counter = 1;
            }
        }
        """, """
        public static class Usage
        {
            public static async Task Run(Climate climate)
            {
                await using var scope = await climate.LockAsync();
                climate.Counter = 1;
            }
        }
        """);
}
