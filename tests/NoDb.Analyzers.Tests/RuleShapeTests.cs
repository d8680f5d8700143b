using NoDb.Analyzers.Tests.Support;

namespace NoDb.Analyzers.Tests;

/// <summary>At least eight shapes each rule must flag, and eight it must leave alone, one row per shape.</summary>
public sealed class RuleShapeTests
{
    [Theory]
    [InlineData("{|NODB001:climate.Counter = 1|};")]
    [InlineData("{|NODB001:climate.Counter++|};")]
    [InlineData("{|NODB001:climate.Years.Add(1)|};")]
    [InlineData("{|NODB001:climate.Index[\"a\"] = 1|};")]
    [InlineData("{|NODB001:climate.Settings.Mode = \"x\"|};")]
    [InlineData("if (flag) { using var s = climate.Lock(); } {|NODB001:climate.Counter = 1|};")]
    [InlineData("using (climate.Lock()) { } {|NODB001:climate.Counter = 1|};")]
    [InlineData("try { using var s = climate.Lock(); } catch { {|NODB001:climate.Counter = 1|}; }")]
    [InlineData("using var s = other.Lock(); {|NODB001:climate.Counter = 1|};")]
    [InlineData("for (int i = 0; i < 2; i++) { {|NODB001:climate.Years.Add(i)|}; }")]
    public Task NODB001_flags(string body) => Check(body);

    [Theory]
    [InlineData("using var s = climate.Lock(); climate.Counter = 1;")]
    [InlineData("await using var s = await climate.LockAsync(); climate.Years.Add(1);")]
    [InlineData("using (climate.Lock()) { climate.Counter = 1; }")]
    [InlineData("await climate.UpdateAsync(c => c.Counter = 1);")]
    [InlineData("await using var s = await climate.TryLockAsync(); if (s is not null) { climate.Counter = 1; }")]
    [InlineData("var t = await climate.AcquireLockAsync(); climate.Counter = 1; await climate.UnlockAsync(t);")]
    [InlineData("climate.Hits = 3; _ = climate.Counter;")]
    [InlineData("var fresh = new Climate(); fresh.Counter = 1;")]
    [InlineData("var alias = climate; using var s = alias.Lock(); climate.Counter = 1;")]
    [InlineData("using var s = climate.Lock(); try { climate.Counter = 1; } finally { climate.Counter = 2; }")]
    public Task NODB001_leaves_alone(string body) => Check(body);

    [Theory]
    [InlineData("var t = await climate.AcquireLockAsync(); await other.UnlockAsync({|NODB002:t|}); await climate.UnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); await other.DumpAsync({|NODB002:t|}); await climate.UnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); await other.DumpAndUnlockAsync({|NODB002:t|}); await climate.UnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); await watershed.UnlockAsync({|NODB002:t|}); await climate.UnlockAsync(t);")]
    [InlineData("await using var s = await climate.LockAsync(); await other.DumpAsync({|NODB002:s.Token|});")]
    [InlineData("using var s = climate.Lock(); await watershed.DumpAsync({|NODB002:s.Token|});")]
    [InlineData("var t = await climate.AcquireLockAsync(); if (flag) { await other.DumpAsync({|NODB002:t|}); } await climate.UnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); var alias = other; await alias.UnlockAsync({|NODB002:t|}); await climate.UnlockAsync(t);")]
    public Task NODB002_flags(string body) => Check(body);

    [Theory]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.UnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.DumpAsync(t); await climate.DumpAndUnlockAsync(t);")]
    [InlineData("await climate.UnlockAsync(external);")]
    [InlineData("var alias = climate; var t = await climate.AcquireLockAsync(); await alias.UnlockAsync(t);")]
    [InlineData("await using var s = await climate.LockAsync(); await climate.DumpAsync(s.Token);")]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.DumpAndUnlockAsync(t); var u = await other.AcquireLockAsync(); await other.UnlockAsync(u);")]
    [InlineData("await climate.UnlockAsync(default);")]
    [InlineData("var t = await climate.AcquireLockAsync(); if (flag) { await climate.DumpAsync(t); } await climate.UnlockAsync(t);")]
    public Task NODB002_leaves_alone(string body) => Check(body);

    [Theory]
    [InlineData("await {|NODB003:climate.LockAsync()|};")]
    [InlineData("{|NODB003:climate.Lock()|};")]
    [InlineData("var s = {|NODB003:climate.Lock()|};")]
    [InlineData("var s = await {|NODB003:climate.LockAsync()|};")]
    [InlineData("var t = await {|NODB003:climate.AcquireLockAsync()|};")]
    [InlineData("var t = await {|NODB003:climate.AcquireLockAsync()|}; if (flag) { await climate.UnlockAsync(t); }")]
    [InlineData("var s = {|NODB003:climate.Lock()|}; if (flag) { s.Dispose(); }")]
    [InlineData("var s = await {|NODB003:climate.TryLockAsync()|}; if (s is null) { return; }")]
    public Task NODB003_flags(string body) => Check(body);

    [Theory]
    [InlineData("using var s = climate.Lock();")]
    [InlineData("await using var s = await climate.LockAsync();")]
    [InlineData("using (climate.Lock()) { }")]
    [InlineData("var s = climate.Lock(); s.Dispose();")]
    [InlineData("var s = climate.Lock(); try { } finally { s.Dispose(); }")]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.DumpAndUnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); if (flag) { await climate.UnlockAsync(t); } else { await climate.DumpAndUnlockAsync(t); }")]
    [InlineData("await using var s = await climate.TryLockAsync();")]
    public Task NODB003_leaves_alone(string body) => Check(body);

    [Theory]
    [InlineData("using var a = climate.Lock(); using var b = {|NODB004:climate.Lock()|};")]
    [InlineData("await using var a = await climate.LockAsync(); await using var b = await {|NODB004:climate.LockAsync()|};")]
    [InlineData("using var a = climate.Lock(); await using var b = await {|NODB004:climate.TryLockAsync()|};")]
    [InlineData("using var a = climate.Lock(); var t = await {|NODB004:climate.AcquireLockAsync()|}; await climate.UnlockAsync(t);")]
    [InlineData("var t = await climate.AcquireLockAsync(); using (var b = {|NODB004:climate.Lock()|}) { } await climate.UnlockAsync(t);")]
    [InlineData("var alias = climate; using var a = climate.Lock(); using var b = {|NODB004:alias.Lock()|};")]
    [InlineData("using (climate.Lock()) { using (var inner = {|NODB004:climate.Lock()|}) { } }")]
    [InlineData("await using var a = await climate.LockAsync(); for (int i = 0; i < 2; i++) { using var b = {|NODB004:climate.Lock()|}; }")]
    public Task NODB004_flags(string body) => Check(body);

    [Theory]
    [InlineData("using (climate.Lock()) { } using var b = climate.Lock();")]
    [InlineData("using var a = climate.Lock(); using var b = other.Lock();")]
    [InlineData("using var a = climate.Lock(); using var b = watershed.Lock();")]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.UnlockAsync(t); using var b = climate.Lock();")]
    [InlineData("if (flag) { using var a = climate.Lock(); } using var b = climate.Lock();")]
    [InlineData("for (int i = 0; i < 2; i++) { using var a = climate.Lock(); }")]
    [InlineData("await using var s = await climate.TryLockAsync(); if (s is null) { using var b = climate.Lock(); }")]
    [InlineData("await climate.UpdateAsync(c => { }); using var b = climate.Lock();")]
    public Task NODB004_leaves_alone(string body) => Check(body);

    [Theory]
    [InlineData("{|NODB005:climate.ApplyScale(1)|};")]
    [InlineData("using (climate.Lock()) { } {|NODB005:climate.ApplyScale(1)|};")]
    [InlineData("using var a = other.Lock(); {|NODB005:climate.ApplyScale(1)|};")]
    [InlineData("if (flag) { using var a = climate.Lock(); } {|NODB005:climate.ApplyScale(1)|};")]
    [InlineData("var t = await climate.AcquireLockAsync(); await climate.UnlockAsync(t); {|NODB005:climate.ApplyScale(1)|};")]
    [InlineData("Action a = () => {|NODB005:climate.ApplyScale(1)|};")]
    [InlineData("try { using var s = climate.Lock(); } finally { {|NODB005:climate.ApplyScale(1)|}; }")]
    [InlineData("await using var s = await climate.TryLockAsync(); {|NODB005:climate.ApplyScale(1)|};")]
    public Task NODB005_flags(string body) => Check(body);

    [Theory]
    [InlineData("using var s = climate.Lock(); climate.ApplyScale(1);")]
    [InlineData("await climate.UpdateAsync(c => c.ApplyScale(1));")]
    [InlineData("await climate.UpdateAsync(c => climate.ApplyScale(1));")]
    [InlineData("Climate.Create(\"wd\", c => c.ApplyScale(1));")]
    [InlineData("climate.Describe();")]
    [InlineData("var t = await climate.AcquireLockAsync(); climate.ApplyScale(1); await climate.UnlockAsync(t);")]
    [InlineData("await using var s = await climate.TryLockAsync(); if (s != null) { climate.ApplyScale(1); }")]
    [InlineData("new Climate().ApplyScale(1);")]
    public Task NODB005_leaves_alone(string body) => Check(body);

    [Theory]
    [InlineData("Task task; using (climate.Lock()) { task = Task.Run(() => {|NODB006:climate.Counter++|}); } await task;")]
    [InlineData("Action a; using (climate.Lock()) { a = () => {|NODB006:climate.Counter++|}; } a();")]
    [InlineData("Func<int> f; using (climate.Lock()) { f = () => {|NODB006:climate.Counter = 2|}; } f();")]
    [InlineData("IEnumerable<int> q; using (climate.Lock()) { q = climate.Values.Select(v => {|NODB006:climate.Counter = v|}); } _ = q.ToList();")]
    [InlineData("using (climate.Lock()) { _ = Task.Run(() => {|NODB006:climate.Years.Add(1)|}); }")]
    [InlineData("using (climate.Lock()) { Func<int> f = Local; int Local() => {|NODB006:climate.Counter++|}; }")]
    [InlineData("using (climate.Lock()) { _ = climate.Values.Where(v => {|NODB006:climate.Counter++|} > 0); }")]
    [InlineData("using (climate.Lock()) { ThreadPool.QueueUserWorkItem(_ => {|NODB006:climate.Counter++|}); }")]
    public Task NODB006_flags(string body) => Check(body);

    [Theory]
    [InlineData("using (climate.Lock()) { await Task.Run(() => climate.Counter++); }")]
    [InlineData("using (climate.Lock()) { climate.Years.ForEach(y => climate.Counter += y); }")]
    [InlineData("using (climate.Lock()) { _ = climate.Values.Sum(v => climate.Counter = v); }")]
    [InlineData("using (climate.Lock()) { Array.ForEach(climate.Values, v => climate.Counter += v); }")]
    [InlineData("using (climate.Lock()) { Bump(); } void Bump() => climate.Counter++;")]
    [InlineData("using (climate.Lock()) { Parallel.For(0, 2, i => climate.Years.Add(i)); }")]
    [InlineData("Action a = () => climate.Hits++;")]
    [InlineData("using (climate.Lock()) { var fresh = new Climate(); Action a = () => fresh.Counter++; }")]
    public Task NODB006_leaves_alone(string body) => Check(body);

    private static Task Check(string body) => Verify.Diagnostics($$"""
        public static class Usage
        {
            public static async Task Run(Climate climate, Climate other, Watershed watershed, bool flag, NoDbLockToken external)
            {
                {{body}}
            }
        }
        """);
}
