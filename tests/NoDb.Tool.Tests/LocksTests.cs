using System.Text.Json;
using NoDb.TestSupport;
using NoDb.Tool.Tests.Support;

namespace NoDb.Tool.Tests;

/// <summary><c>locks</c>, <c>clear-locks</c> and <c>force-unlock</c> against a lock that a child process holds.</summary>
public sealed class LocksTests
{
    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Locks_lists_the_child_holder_and_exits_3_then_clear_locks_prints_it_and_locks_exits_0(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await CreateAsync(backend, run);
        using WorkerProcess holder = WorkerProcess.StartWith(backend.WorkerEnvironment, "hold", run);
        long fence = long.Parse((await holder.ReadLineAsync(TestTimeouts.Patience))["locked ".Length..], System.Globalization.CultureInfo.InvariantCulture);

        ToolResult locks = await ToolProcess.RunAsync(backend, "locks", run, "--json");
        Assert.True(locks.ExitCode == 3, locks.ToString());
        JsonElement held = Assert.Single(locks.Json.GetProperty("locks").EnumerateArray());
        Assert.Equal("climate.nodb", held.GetProperty("document").GetString());
        Assert.Equal(holder.Id, held.GetProperty("pid").GetInt32());
        Assert.True(held.GetProperty("alive").GetBoolean());
        Assert.Equal(fence, held.GetProperty("fence").GetInt64());
        Assert.Equal(Environment.MachineName, held.GetProperty("host").GetString());
        Assert.Equal(backend.IsRedis ? JsonValueKind.String : JsonValueKind.Null, held.GetProperty("expires").ValueKind);

        ToolResult table = await ToolProcess.RunAsync(backend, "locks", run);
        Assert.Equal(3, table.ExitCode);
        Assert.Contains("climate.nodb", table.Output, StringComparison.Ordinal);
        Assert.Contains($"{holder.Id}", table.Output, StringComparison.Ordinal);
        Assert.Contains("1 lock held in 1 run", table.Output, StringComparison.Ordinal);

        ToolResult cleared = await ToolProcess.RunAsync(backend, "clear-locks", run, "--json");
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        JsonElement gone = Assert.Single(cleared.Json.GetProperty("cleared").EnumerateArray());
        Assert.Equal(holder.Id, gone.GetProperty("pid").GetInt32());
        Assert.Equal(fence, gone.GetProperty("fence").GetInt64());

        // The cleared holder is fenced out; once it has exited, nothing holds the run's locks on either backend.
        await holder.KillAsync();
        ToolResult after = await ToolProcess.RunAsync(backend, "locks", run);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("No locks held in 1 run", after.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Clear_locks_prints_the_holders_it_cleared_in_a_table(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await CreateAsync(backend, run);
        using WorkerProcess holder = WorkerProcess.StartWith(backend.WorkerEnvironment, "hold", run);
        _ = await holder.ReadLineAsync(TestTimeouts.Patience);

        ToolResult cleared = await ToolProcess.RunAsync(backend, "clear-locks", run);
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Contains($"{holder.Id}", cleared.Output, StringComparison.Ordinal);
        Assert.Contains("Cleared 1 lock in 1 run", cleared.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Force_unlock_takes_one_document_lock_away_and_names_its_holder(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await CreateAsync(backend, run);
        using WorkerProcess holder = WorkerProcess.StartWith(backend.WorkerEnvironment, "hold", run);
        _ = await holder.ReadLineAsync(TestTimeouts.Patience);

        ToolResult forced = await ToolProcess.RunAsync(backend, "force-unlock", run, "climate.nodb", "--json");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(holder.Id, forced.Json.GetProperty("cleared").GetProperty("pid").GetInt32());

        ToolResult missing = await ToolProcess.RunAsync(backend, "force-unlock", run, "nothing.nodb");
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("has no document 'nothing.nodb'", missing.Error, StringComparison.Ordinal);

        ToolResult invalid = await ToolProcess.RunAsync(backend, "force-unlock", run, "../climate.nodb");
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.Contains("not a valid controller file name", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Locks_exits_0_when_nothing_is_held_in_several_runs()
    {
        using var tree = new RunTree();
        string first = tree.NewRunDirectory();
        string second = tree.NewRunDirectory();
        await CreateAsync(TestBackend.File, first);
        await CreateAsync(TestBackend.File, second);

        ToolResult locks = await ToolProcess.RunAsync(TestBackend.File, "locks", first, second);
        Assert.True(locks.ExitCode == 0, locks.ToString());
        Assert.Contains("No locks held in 2 runs (embedded file locks)", locks.Output, StringComparison.Ordinal);
    }

    internal static async Task CreateAsync(TestBackend backend, string run)
    {
        using WorkerProcess creator = WorkerProcess.StartWith(backend.WorkerEnvironment, "create", run);
        Assert.Equal("created", await creator.ReadLineAsync(TestTimeouts.Patience));
        Assert.Equal(0, await creator.WaitForExitAsync(TestTimeouts.Patience));
    }
}
