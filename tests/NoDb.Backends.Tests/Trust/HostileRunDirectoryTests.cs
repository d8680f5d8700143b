using System.Diagnostics;
using NoDb.TestSupport;
using NoDb.Storage;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Trust;

/// <summary>
/// Nothing outside the run is read or changed, whatever another local user does inside it. The attacker's moves are made
/// as the user <c>nobody</c> when the suite runs as root (as CI does), as this user otherwise.
/// </summary>
public abstract class HostileRunDirectoryTests(BackendFixture backend) : BackendTest(backend)
{
    private static readonly UnixFileMode RootOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Runs a command as the other local user (nobody) when this process may, else as this user.</summary>
    private static void AsAttacker(params string[] command)
    {
        var start = new ProcessStartInfo(Environment.UserName == "root" ? "runuser" : command[0]) { UseShellExecute = false, RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            foreach (string part in new[] { "-u", "nobody", "--" }.Concat(command))
            {
                start.ArgumentList.Add(part);
            }
        }
        else
        {
            foreach (string part in command.Skip(1))
            {
                start.ArgumentList.Add(part);
            }
        }

        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', command)} failed: {error}");
    }

    /// <summary>A run whose folder the attacker may write in (a shared runs folder), with a root-only secret outside it.</summary>
    private static (TestRun Run, string Outside) SharedRun()
    {
        var run = new TestRun();
        File.SetUnixFileMode(Path.GetDirectoryName(run.Directory)!, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(run.Directory, (UnixFileMode)Convert.ToInt32("777", 8));
        string outside = Path.Join(Path.GetDirectoryName(run.Directory)!, "outside-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("755", 8));
        return (run, outside);
    }

    private static void PlantStateFolderLink(TestRun run, string outside)
    {
        string state = Path.Join(run.Directory, ".nodb");
        if (Directory.Exists(state))
        {
            Directory.Delete(state, recursive: true);
        }

        AsAttacker("ln", "-s", outside, state);
    }

    [Fact]
    public async Task A_state_folder_swapped_for_a_link_is_never_written_through_by_any_operation()
    {
        (TestRun run, string outside) = SharedRun();
        using (run)
        {
            Climate climate = run.CreateClimate(counter: 1);
            PlantStateFolderLink(run, outside);

            await Assert.ThrowsAsync<IOException>(async () => await climate.LockAsync());
            await Assert.ThrowsAsync<IOException>(async () => await climate.ForceUnlockAsync());
            await Assert.ThrowsAsync<IOException>(async () => await climate.IsLockedAsync());
            await Assert.ThrowsAsync<IOException>(async () => await NoDbRuntime.GetLockHoldersAsync(run.RunId));
            var incomplete = await Assert.ThrowsAsync<NoDbClearLocksIncompleteException>(async () => await NoDbRuntime.ClearLocksAsync(run.RunId));
            Assert.Contains("symbolic link", incomplete.Message, StringComparison.Ordinal);

            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        }
    }

    [Fact]
    public async Task A_state_folder_swapped_for_a_link_while_a_lock_is_held_stops_the_commit_and_the_checks_from_writing_through_it()
    {
        (TestRun run, string outside) = SharedRun();
        using (run)
        {
            Climate climate = run.CreateClimate(counter: 1);
            NoDbLockScope scope = await climate.LockAsync();
            climate.Counter = 2;
            Directory.Move(Path.Join(run.Directory, ".nodb"), Path.Join(run.Directory, ".nodb-moved"));
            AsAttacker("ln", "-s", outside, Path.Join(run.Directory, ".nodb"));

            // The commit refuses the link (on the embedded backend the background check has usually given the lock up first).
            Exception? error = await Record.ExceptionAsync(async () => await scope.DisposeAsync());
            Assert.True(error is IOException or NoDbLockLostException, $"unexpected: {error}");
            Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        }
    }

    [Fact]
    public async Task ClearLocksAsync_clears_every_real_lock_reports_a_planted_link_and_returns_the_holders()
    {
        (TestRun run, string outside) = SharedRun();
        using (run)
        {
            Climate climate = run.CreateClimate(counter: 1);
            NoDbLockScope scope = await climate.LockAsync();
            string secret = Path.Join(outside, "secret");
            File.WriteAllText(secret, "00000000000000000042\n");
            File.SetUnixFileMode(secret, RootOnly);
            File.SetUnixFileMode(Path.Join(run.Directory, ".nodb"), (UnixFileMode)Convert.ToInt32("777", 8));
            AsAttacker("ln", "-s", secret, Path.Join(run.Directory, ".nodb", "soils.nodb.fence"));

            var incomplete = await Assert.ThrowsAsync<NoDbClearLocksIncompleteException>(async () => await NoDbRuntime.ClearLocksAsync(run.RunId));

            NoDbLockHolder holder = Assert.Single(incomplete.Cleared);
            Assert.Equal(Environment.ProcessId, holder.ProcessId);
            Assert.Equal(run.ClimatePath, holder.FilePath);
            Assert.Contains(incomplete.Refused, r => r.Contains("soils.nodb.fence", StringComparison.Ordinal));
            await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
            Assert.Equal("00000000000000000042\n", File.ReadAllText(secret));
            Assert.Equal(RootOnly, File.GetUnixFileMode(secret));
        }
    }

    [Fact]
    public async Task ClearLocksAsync_returns_the_holders_it_cleared()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await climate.LockAsync();

        IReadOnlyList<NoDbLockHolder> cleared = await NoDbRuntime.ClearLocksAsync(run.RunId);

        NoDbLockHolder holder = Assert.Single(cleared);
        Assert.Equal(scope.Token.FencingNumber, holder.FencingNumber);
        Assert.Empty(await NoDbRuntime.ClearLocksAsync(run.RunId));
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
    }

    [Fact]
    public async Task A_document_replaced_by_a_link_is_neither_read_through_nor_written_through()
    {
        (TestRun run, string outside) = SharedRun();
        using (run)
        {
            run.CreateClimate(counter: 1);
            string secret = Path.Join(outside, "secret.json");
            File.WriteAllText(secret, """{ "Counter": 42 }""");
            File.SetUnixFileMode(secret, RootOnly);
            File.Delete(run.ClimatePath);
            AsAttacker("ln", "-s", secret, run.ClimatePath);

            Assert.Throws<IOException>(() => Climate.LoadDetached(run.Directory));
            NoDb.Infrastructure.NoDbController<Climate>.Forget(run.Directory);
            Assert.Throws<IOException>(() => Climate.GetInstance(run.Directory));
            Assert.Equal("""{ "Counter": 42 }""", File.ReadAllText(secret));
            Assert.Equal(RootOnly, File.GetUnixFileMode(secret));
        }
    }

    [Fact]
    public async Task A_planted_temp_file_link_is_removed_not_followed_and_the_document_keeps_its_own_mode()
    {
        (TestRun run, string outside) = SharedRun();
        using (run)
        {
            Climate climate = run.CreateClimate(counter: 1);
            File.SetUnixFileMode(run.ClimatePath, RootOnly);
            string secret = Path.Join(outside, "secret");
            File.WriteAllText(secret, "root only");
            File.SetUnixFileMode(secret, RootOnly);
            string planted = Path.Join(run.Directory, $".climate.nodb.{Guid.NewGuid():N}.tmp");
            AsAttacker("ln", "-s", secret, planted);

            await climate.UpdateAsync(c => c.Counter = 2);

            Assert.False(File.Exists(planted) || new FileInfo(planted).LinkTarget is not null);
            Assert.Equal("root only", File.ReadAllText(secret));
            Assert.Equal(RootOnly, File.GetUnixFileMode(secret));
            Assert.Equal(RootOnly, File.GetUnixFileMode(run.ClimatePath));
            Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
        }
    }

    [Fact]
    public async Task A_new_document_follows_the_process_umask()
    {
        using var run = new TestRun();
        using WorkerProcess worker = Backend.StartWorkerWithUmask("077", "create", run.Directory);
        Assert.Equal("created", await worker.ReadLineAsync(TestTimeouts.Patience));
        Assert.Equal(0, await worker.WaitForExitAsync(TestTimeouts.Patience));

        Assert.Equal(RootOnly, File.GetUnixFileMode(run.ClimatePath));
    }

    [Fact]
    public async Task Temp_files_of_killed_writers_are_removed_by_the_next_commit_and_by_a_sweep()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        string litter = Path.Join(run.Directory, $".climate.nodb.{Guid.NewGuid():N}.tmp");
        string otherLitter = Path.Join(run.Directory, $".watershed.nodb.{Guid.NewGuid():N}.tmp");
        string notOurs = Path.Join(run.Directory, ".climate.nodb.mine.tmp");
        File.WriteAllText(litter, "half a document");
        File.WriteAllText(otherLitter, "half another");
        File.WriteAllText(notOurs, "someone else's");

        await climate.UpdateAsync(c => c.Counter = 2);

        Assert.False(File.Exists(litter));
        Assert.True(File.Exists(otherLitter));
        Assert.True(File.Exists(notOurs));

        using (RunDirectory directory = RunDirectory.Open(run.Directory))
        {
            Assert.Equal(0, AtomicFile.SweepLitter(directory, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5)));
            Assert.Equal(1, AtomicFile.SweepLitter(directory, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1)));
        }

        Assert.False(File.Exists(otherLitter));
        Assert.True(File.Exists(notOurs));
    }

    [Theory]
    [InlineData("back\\slash")]
    [InlineData("tab\there")]
    [InlineData(" ")]
    [InlineData("bell\u0007")]
    public async Task A_run_id_may_be_any_folder_name_the_file_system_allows(string runId)
    {
        string root = Directory.CreateTempSubdirectory("nodb-runid-").FullName;
        try
        {
            string directory = Path.Join(root, runId);
            Directory.CreateDirectory(directory);
            Climate climate = Climate.Create(directory, c => c.Counter = 1);
            NoDbLockScope scope = await climate.LockAsync();

            NoDbLockHolder holder = Assert.Single(await NoDbRuntime.ClearLocksAsync(runId));
            Assert.Equal(Path.Join(directory, "climate.nodb"), holder.FilePath);
            await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("nul\0")]
    [InlineData("..")]
    [InlineData("")]
    public async Task A_run_id_with_a_separator_or_nul_is_refused(string runId) =>
        await Assert.ThrowsAsync<ArgumentException>(async () => await NoDbRuntime.ClearLocksAsync(runId));

    [Fact]
    public async Task LockAsync_honours_its_timeout_and_cancellation_while_a_frozen_process_holds_the_fence()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        string fence = Path.Join(run.Directory, ".nodb", "climate.nodb.fence");

        // A process that took the fence's short lock (as a commit does) and was then frozen.
        var start = new ProcessStartInfo("flock") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string part in new[] { "-x", fence, "-c", "echo held; exec sleep 600" })
        {
            start.ArgumentList.Add(part);
        }

        using Process frozen = Process.Start(start)!;
        try
        {
            Assert.Equal("held", await frozen.StandardOutput.ReadLineAsync().Within());
            using (Process.Start("kill", ["-STOP", frozen.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
            }

            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<NoDbLockTimeoutException>(async () => await climate.LockAsync(TimeSpan.FromMilliseconds(500)));
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5));

            // A try-lock says "not free now": never an internal timeout.
            Assert.Null(await climate.TryLockAsync());

            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            clock.Restart();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await climate.LockAsync(Timeout.InfiniteTimeSpan, cancel.Token));
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        }
        finally
        {
            frozen.Kill(entireProcessTree: true);
            await frozen.WaitForExitAsync();
        }

        await climate.UpdateAsync(c => c.Counter = 2).Within();
        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : HostileRunDirectoryTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : HostileRunDirectoryTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : HostileRunDirectoryTests(backend);
}
