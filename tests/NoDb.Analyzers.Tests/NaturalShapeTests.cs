using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>
/// Shapes of real application code: a scope or token that reaches its use through any shape the compiler proves
/// definitely assigned and non-null on every path counts as held, and is released where it is disposed. Each shape has
/// a quiet variant and a flagged one.
/// </summary>
public sealed class NaturalShapeTests
{
    [Theory]
    // A TryLockAsync result tested by a pattern in the condition.
    [InlineData("if (await climate.TryLockAsync() is { } scope) { await using (scope) { climate.Counter = 1; } }")]
    [InlineData("if (await climate.TryLockAsync() is not { } scope) return; await using (scope) { climate.Counter = 1; }")]
    [InlineData("if (await climate.TryLockAsync() is not { } scope) { return; } await using (scope) { climate.Counter = 1; }")]
    [InlineData("if (await climate.TryLockAsync() is NoDbLockScope s) { await using (s) { climate.Counter = 1; } }")]
    [InlineData("if (await climate.TryLockAsync() is { } scope) { await using (scope) { climate.Counter = 1; } } else { return; }")]
    [InlineData("if (await climate.TryLockAsync().ConfigureAwait(false) is { } scope) { using (scope) { climate.Counter = 1; } }")]
    [InlineData("if (await climate.TryLockAsync() is not { } scope) return; await using var held = scope; climate.Counter = 1;")]
    [InlineData("if (await climate.TryLockAsync() is not null and var scope) { await using (scope) { climate.Counter = 1; } }")]
    // A scope assigned inside a try whose catch leaves.
    [InlineData("NoDbLockScope s; try { s = await climate.LockAsync(TimeSpan.FromSeconds(1)); } catch (NoDbLockTimeoutException) { return; } await using (s) { climate.Counter = 1; }")]
    [InlineData("NoDbLockScope s; try { s = climate.Lock(); } catch (NoDbLockTimeoutException e) { throw new InvalidOperationException(\"busy\", e); } using (s) { climate.Counter = 1; }")]
    [InlineData("NoDbLockScope s; try { s = await climate.LockAsync(); } catch (NoDbLockTimeoutException) when (flag) { return; } await using (s) { climate.Counter = 1; }")]
    [InlineData("NoDbLockToken t; try { t = await climate.AcquireLockAsync(); } catch (NoDbLockTimeoutException) { return; } try { climate.Counter = 1; } finally { await climate.DumpAndUnlockAsync(t); }")]
    // Null coalescing into a throw, a null test that throws, a copy of the scope.
    [InlineData("await using var scope = await climate.TryLockAsync() ?? throw new InvalidOperationException(\"busy\"); climate.Counter = 1;")]
    [InlineData("var scope = await climate.TryLockAsync() ?? throw new InvalidOperationException(\"busy\"); await using (scope) { climate.Counter = 1; }")]
    [InlineData("var scope = await climate.TryLockAsync(); if (scope == null) throw new InvalidOperationException(\"busy\"); await using (scope) { climate.Counter = 1; }")]
    [InlineData("var scope = await climate.TryLockAsync(); if (scope is { } held) { using (held) { climate.Counter = 1; } }")]
    [InlineData("var first = climate.Lock(); var copy = first; using (copy) { climate.Counter = 1; }")]
    // A retry loop, a switch on the result, an early explicit dispose.
    [InlineData("while (true) { var s = await climate.TryLockAsync(); if (s is null) { await Task.Delay(10); continue; } await using (s) { climate.Counter = 1; } break; }")]
    [InlineData("switch (await climate.TryLockAsync()) { case { } s: await using (s) { climate.Counter = 1; } break; case null: return; }")]
    [InlineData("await using var scope = await climate.LockAsync(); climate.Counter = 1; await scope.DisposeAsync();")]
    [InlineData("NoDbLockScope? s = null; try { s = await climate.LockAsync(); climate.Counter = 1; } finally { if (s != null) { await s.DisposeAsync(); } }")]
    [InlineData("NoDbLockScope? s = null; try { s = climate.Lock(); climate.Counter = 1; } finally { s?.Dispose(); }")]
    public Task Held_and_released(string body) => Check(body);

    [Theory]
    [InlineData("if (await climate.TryLockAsync() is { } scope) { await using (scope) { } } {|NODB001:climate.Counter = 1|};")]
    [InlineData("if (await climate.TryLockAsync() is { } scope) { await using (scope) { } } else { {|NODB001:climate.Counter = 1|}; }")]
    [InlineData("if (await climate.TryLockAsync() is not { } scope) { {|NODB001:climate.Counter = 1|}; return; } await using (scope) { }")]
    [InlineData("if (await climate.TryLockAsync() is NoDbLockScope s) { await using (s) { } {|NODB001:climate.Counter = 1|}; }")]
    [InlineData("if (await {|NODB003:climate.TryLockAsync()|} is { } scope) { climate.Counter = 1; }")]
    [InlineData("NoDbLockScope s; try { s = await climate.LockAsync(); } catch (NoDbLockTimeoutException) { {|NODB001:climate.Counter = 1|}; return; } await using (s) { }")]
    [InlineData("NoDbLockScope? s = null; try { s = await climate.LockAsync(); } catch (NoDbLockTimeoutException) { } {|NODB001:climate.Counter = 1|}; s?.Dispose();")]
    [InlineData("var scope = await climate.TryLockAsync() ?? throw new InvalidOperationException(\"busy\"); await using (scope) { } {|NODB001:climate.Counter = 1|};")]
    [InlineData("var first = climate.Lock(); var copy = first; using (copy) { } {|NODB001:climate.Counter = 1|};")]
    [InlineData("while (true) { var s = await climate.TryLockAsync(); if (s is null) { {|NODB001:climate.Counter = 1|}; continue; } await using (s) { } break; }")]
    [InlineData("switch (await climate.TryLockAsync()) { case { } s: await using (s) { } {|NODB001:climate.Counter = 1|}; break; case null: return; }")]
    [InlineData("await using var scope = await climate.LockAsync(); await scope.DisposeAsync(); {|NODB001:climate.Counter = 1|};")]
    public Task Flagged(string body) => Check(body);

    private static Task Check(string body) => Verify.Diagnostics($$"""
        public static class Usage
        {
            public static async Task Run(Climate climate, bool flag)
            {
                {{body}}
            }
        }
        """);
}
