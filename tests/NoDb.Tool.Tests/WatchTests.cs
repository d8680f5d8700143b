using System.Text.Json;
using NoDb.TestSupport;
using NoDb.Tool.Tests.Support;

namespace NoDb.Tool.Tests;

/// <summary><c>watch</c>: lock and commit events of other processes, as they happen.</summary>
public sealed class WatchTests
{
    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Watch_reports_a_child_taking_the_lock_its_release_and_a_commit(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(backend, run);
        using ToolProcess watch = ToolProcess.Start(backend, "watch", run, "--json");
        JsonElement first = (await watch.ReadEventsUntilAsync(_ => true))[0];
        Assert.Equal("watching", first.GetProperty("event").GetString());
        Assert.Equal(backend.Name, first.GetProperty("backend").GetString());

        using WorkerProcess holder = WorkerProcess.StartWith(backend.WorkerEnvironment, "hold", run);
        long fence = long.Parse((await holder.ReadLineAsync(TestTimeouts.Patience))["locked ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        JsonElement locked = (await watch.ReadEventsUntilAsync(e => Is(e, "locked")))[^1];
        Assert.Equal(holder.Id, locked.GetProperty("pid").GetInt32());
        Assert.Equal(fence, locked.GetProperty("fence").GetInt64());
        Assert.Equal("climate.nodb", locked.GetProperty("document").GetString());

        ToolResult cleared = await ToolProcess.RunAsync(backend, "clear-locks", run);
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        JsonElement released = (await watch.ReadEventsUntilAsync(e => Is(e, "released")))[^1];
        Assert.Equal(holder.Id, released.GetProperty("pid").GetInt32());
        await holder.KillAsync();

        using WorkerProcess writer = WorkerProcess.StartWith(backend.WorkerEnvironment, "increment", run, "1");
        JsonElement commit = (await watch.ReadEventsUntilAsync(e => Is(e, "commit")))[^1];
        Assert.Equal("climate.nodb", commit.GetProperty("document").GetString());
        Assert.True(commit.GetProperty("fence").GetInt64() > fence);
        Assert.Equal(0, await writer.WaitForExitAsync(TestTimeouts.Patience));

        Assert.Equal(0, await watch.InterruptAsync());
    }

    private static bool Is(JsonElement e, string kind) => e.GetProperty("event").GetString() == kind;
}
