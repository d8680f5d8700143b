using System.Diagnostics;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using NoDb.Locking.Redis;
using NoDb.TestSupport;
using NoDb.Storage;
using NoDb.Tool.Tests.Support;
using StackExchange.Redis;

namespace NoDb.Tool.Tests;

/// <summary><c>check</c> over trees of runs: what it reports, what <c>--fix</c> removes, and what it never touches.</summary>
public sealed class CheckTests
{
    private const string TempName = ".climate.nodb.0123456789abcdef0123456789abcdef.tmp";

    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Check_reports_a_stale_temp_file_beside_a_lock_held_by_a_child_and_fix_removes_only_the_temp_file(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(backend, run);
        using WorkerProcess holder = WorkerProcess.StartWith(backend.WorkerEnvironment, "hold", run);
        _ = await holder.ReadLineAsync(TestTimeouts.Patience);
        string temp = Path.Join(run, TempName);
        await File.WriteAllTextAsync(temp, "{\"half\":");
        byte[] document = await File.ReadAllBytesAsync(Path.Join(run, "climate.nodb"));

        ToolResult found = await ToolProcess.RunAsync(backend, "check", tree.Root, "--stale-after", "00:00:00", "--json");
        Assert.True(found.ExitCode == 1, found.ToString());
        Assert.Equal(1, found.Json.GetProperty("runs").GetInt32());
        Assert.Equal(1, found.Json.GetProperty("locksHeld").GetInt32());
        JsonElement finding = Assert.Single(found.Json.GetProperty("findings").EnumerateArray());
        Assert.Equal("stale-temp-file", finding.GetProperty("kind").GetString());
        Assert.Equal(temp, finding.GetProperty("path").GetString());
        Assert.True(File.Exists(temp), "check without --fix removed a file");

        ToolResult fixedRun = await ToolProcess.RunAsync(backend, "check", tree.Root, "--stale-after", "00:00:00", "--fix");
        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.Contains("stale-temp-file (fixed)", fixedRun.Output, StringComparison.Ordinal);
        Assert.Contains("0 problems, 1 fixed; 1 lock held", fixedRun.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(temp));
        Assert.Equal(document, await File.ReadAllBytesAsync(Path.Join(run, "climate.nodb")));

        ToolResult clean = await ToolProcess.RunAsync(backend, "check", tree.Root);
        Assert.True(clean.ExitCode == 0, clean.ToString());
    }

    [Fact]
    public async Task A_fresh_temp_file_is_left_alone_by_fix_as_a_writer_may_be_using_it()
    {
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(TestBackend.File, run);
        string temp = Path.Join(run, TempName);
        await File.WriteAllTextAsync(temp, "{");

        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, "check", tree.Root, "--fix", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, result.Json.GetProperty("tempFilesBeingWritten").GetInt32());
        Assert.True(File.Exists(temp));
    }

    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Check_reports_a_corrupt_document_with_its_position_and_fix_never_removes_it(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string good = tree.NewRunDirectory();
        await LocksTests.CreateAsync(backend, good);
        string bad = tree.NewRunDirectory();
        const string Corrupt = "{\n  \"a\": 1,\n  \"b\": [1, 2\n}";
        RunTree.WriteDocument(bad, "watershed.nodb", Corrupt);

        ToolResult result = await ToolProcess.RunAsync(backend, "check", tree.Root, "--fix", "--json");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(2, result.Json.GetProperty("runs").GetInt32());
        JsonElement finding = Assert.Single(result.Json.GetProperty("findings").EnumerateArray());
        Assert.Equal("corrupt-document", finding.GetProperty("kind").GetString());
        Assert.StartsWith("line 4, byte 0:", finding.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(finding.GetProperty("fixed").GetBoolean());
        Assert.Equal(Corrupt, await File.ReadAllTextAsync(Path.Join(bad, "watershed.nodb")));
    }

    [Fact]
    public async Task Check_reports_a_malformed_fence_file()
    {
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(TestBackend.File, run);
        await File.WriteAllTextAsync(Path.Join(run, ".nodb", "climate.nodb.fence"), "12x\n");

        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, "check", tree.Root);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("malformed-fence", result.Output, StringComparison.Ordinal);
        Assert.Contains("holds '12x\\n'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_a_fence_file_that_went_backwards()
    {
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(TestBackend.File, run);
        await File.WriteAllTextAsync(Path.Join(run, ".nodb", "climate.nodb.fence"), "00000000000000000007\n");

        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, "check", tree.Root);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("fence-behind", result.Output, StringComparison.Ordinal);
        Assert.Contains("holds 7, below fencing number", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Check_reports_a_lock_whose_holder_process_is_gone(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(backend, run);
        int deadPid = await DeadProcessIdAsync();
        // The record names the current fencing number: a record below the fence on disk is a previous holder's, not listed.
        long fence = backend.IsRedis ? 42 : long.Parse(File.ReadAllText(Path.Join(run, ".nodb", "climate.nodb.fence")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        string record = $"{Environment.MachineName}|{deadPid}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}|{(backend.IsRedis ? "deadbeef|" : "")}{fence}";

        // A lease that outlives its holder: on Redis, a holder killed before its lease ran out; on the embedded backend,
        // a lock file descriptor that outlived the process named in it (held here, by the test, on its behalf).
        using SafeFileHandle? held = backend.IsRedis ? null : HoldLockFile(run, record);
        if (backend.IsRedis)
        {
            await using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(backend.Configuration!);
            await redis.GetDatabase().StringSetAsync(LockKey(run), record, TimeSpan.FromMinutes(1));
        }

        ToolResult result = await ToolProcess.RunAsync(backend, "check", tree.Root, "--json", "--fix");
        Assert.True(result.ExitCode == 1, result.ToString());
        JsonElement finding = Assert.Single(result.Json.GetProperty("findings").EnumerateArray());
        Assert.Equal("lock-holder-gone", finding.GetProperty("kind").GetString());
        Assert.Contains($"pid {deadPid}", finding.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("nodb clear-locks", finding.GetProperty("detail").GetString(), StringComparison.Ordinal);

        ToolResult cleared = await ToolProcess.RunAsync(backend, "clear-locks", run, "--json");
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Equal(deadPid, Assert.Single(cleared.Json.GetProperty("cleared").EnumerateArray()).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Check_walks_ten_thousand_runs_in_seconds()
    {
        using var tree = new RunTree();
        string fence = "00000000000000000042\n";
        for (int i = 0; i < 10_000; i++)
        {
            string run = Path.Join(tree.Root, $"group-{i % 100:D2}", $"run-{i:D5}");
            Directory.CreateDirectory(Path.Join(run, ".nodb"));
            RunTree.WriteDocument(run, "climate.nodb", $"{{\"StationId\":\"S{i}\",\"Counter\":{i},\"Years\":[2001,2002]}}");
            await File.WriteAllTextAsync(Path.Join(run, ".nodb", "climate.nodb.fence"), fence);
        }

        var clock = Stopwatch.StartNew();
        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, "check", tree.Root, "--json");
        clock.Stop();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(10_000, result.Json.GetProperty("runs").GetInt32());
        Assert.Equal(10_000, result.Json.GetProperty("documents").GetInt32());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"check of 10,000 runs took {clock.Elapsed}");
    }

    private static async Task<int> DeadProcessIdAsync()
    {
        using Process exited = Process.Start("true")!;
        await exited.WaitForExitAsync();
        return exited.Id;
    }

    private static SafeFileHandle HoldLockFile(string run, string record)
    {
        string path = Path.Join(run, ".nodb", "climate.nodb.lock");
        SafeFileHandle handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        Assert.True(UnixNative.TryLockExclusive(handle, path));
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(record + "\n"), 0);
        return handle;
    }

    private static RedisKey LockKey(string runDirectory)
    {
        using RunDirectory run = RunDirectory.Open(runDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: false)!;
        return new RedisKeys(RunIdentity.TryOf(run, state)!, "climate.nodb").Lock;
    }
}
