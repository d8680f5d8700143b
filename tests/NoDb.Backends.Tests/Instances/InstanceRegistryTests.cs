using NoDb.Infrastructure;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Instances;

public abstract class InstanceRegistryTests(BackendFixture backend) : BackendTest(backend)
{
    [Fact]
    public async Task A_hundred_concurrent_first_callers_get_one_object_from_one_load()
    {
        using var run = new TestRun();
        run.WriteClimateText("""{ "stationId": "S", "Counter": 3 }""");
        using var start = new ManualResetEventSlim();

        Task<Climate>[] callers = Enumerable.Range(0, 100)
            .Select(_ => Task.Run(() =>
            {
                start.Wait();
                return Climate.GetInstance(run.Directory);
            }))
            .ToArray();
        start.Set();
        Climate[] instances = await Task.WhenAll(callers).Within();

        Assert.All(instances, instance => Assert.Same(instances[0], instance));
        Assert.Equal(1, NoDbController<Climate>.LoadsOf(run.Directory));
        Assert.Equal(3, instances[0].Counter);
    }

    [Fact]
    public async Task GetInstanceAsync_and_TryGetInstance_return_the_same_object()
    {
        using var run = new TestRun();
        Climate created = run.CreateClimate();

        Assert.Same(created, Climate.GetInstance(run.Directory));
        Assert.Same(created, await Climate.GetInstanceAsync(run.Directory));
        Assert.Same(created, Climate.TryGetInstance(run.Directory));
    }

    [Fact]
    public async Task A_missing_document_is_not_found()
    {
        using var run = new TestRun();

        Assert.Null(Climate.TryGetInstance(run.Directory));
        var error = Assert.Throws<NoDbNotFoundException>(() => Climate.GetInstance(run.Directory));
        Assert.Equal(run.ClimatePath, error.FilePath);
        await Assert.ThrowsAsync<NoDbNotFoundException>(async () => await Climate.GetInstanceAsync(run.Directory));
        Assert.Throws<NoDbNotFoundException>(() => Climate.LoadDetached(run.Directory));
    }

    [Fact]
    public void A_deleted_document_is_no_longer_found()
    {
        using var run = new TestRun();
        run.CreateClimate();
        File.Delete(run.ClimatePath);

        Assert.Null(Climate.TryGetInstance(run.Directory));
    }

    [Fact]
    public async Task An_external_commit_refreshes_the_cached_instance_in_place()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate(stationId: "OLD");

        Climate other = Climate.LoadDetached(run.Directory);
        await other.UpdateAsync(c =>
        {
            c.StationId = "NEW";
            c.Years.Add(2024);
        });

        Climate again = Climate.GetInstance(run.Directory);
        Assert.Same(cached, again);
        Assert.Equal("NEW", cached.StationId);
        Assert.Equal([2024], cached.Years);
    }

    [Fact]
    public async Task A_hand_edit_is_seen_by_the_next_lock_holder_so_no_commit_overwrites_it()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate(counter: 1);
        run.WriteClimateText("""{ "stationId": "HAND", "Counter": 50, "Years": [] }""");

        await using (await cached.LockAsync())
        {
            Assert.Equal("HAND", cached.StationId);
            cached.Counter++;
        }

        Climate reread = Climate.LoadDetached(run.Directory);
        Assert.Equal(51, reread.Counter);
        Assert.Equal("HAND", reread.StationId);
    }

    [Fact]
    public async Task The_cached_instance_is_never_refreshed_while_this_process_holds_its_lock()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate(stationId: "COMMITTED");

        NoDbLockScope scope = await cached.LockAsync();
        cached.StationId = "UNSAVED";
        run.WriteClimateText("""{ "stationId": "EXTERNAL" }""");

        Assert.Same(cached, Climate.GetInstance(run.Directory));
        Assert.Equal("UNSAVED", cached.StationId);

        // The hand edit landed without the lock: the holder's write would overwrite it, so it is refused instead.
        await Assert.ThrowsAsync<NoDbStaleWriteException>(async () => await scope.DisposeAsync());
        Assert.Equal("EXTERNAL", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task LoadDetached_bypasses_the_cache()
    {
        using var run = new TestRun();
        Climate cached = run.CreateClimate(counter: 1);

        Climate first = Climate.LoadDetached(run.Directory);
        Climate second = Climate.LoadDetached(run.Directory);
        cached.Hits = 9;

        Assert.NotSame(cached, first);
        Assert.NotSame(first, second);
        Assert.Equal(0, first.Hits);
        Assert.Equal(1, first.Counter);
        await first.UpdateAsync(c => c.Counter = 2);
        Assert.Equal(1, second.Counter);
    }

    [Fact]
    public void A_read_only_run_is_never_cached()
    {
        using var run = new TestRun();
        Climate before = run.CreateClimate();
        run.MarkReadOnly();

        Climate first = Climate.GetInstance(run.Directory);
        Climate second = Climate.GetInstance(run.Directory);

        Assert.NotSame(before, first);
        Assert.NotSame(first, second);
        Assert.True(first.IsReadOnly);
    }

    [Fact]
    public void Create_refuses_an_existing_document_and_leaves_it_alone()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "FIRST");
        string before = run.ReadClimateText();

        var error = Assert.Throws<NoDbAlreadyExistsException>(() => Climate.Create(run.Directory, c => c.StationId = "SECOND"));

        Assert.Equal(run.ClimatePath, error.FilePath);
        Assert.Equal(before, run.ReadClimateText());
    }

    [Fact]
    public void Create_whose_initializer_throws_writes_nothing()
    {
        using var run = new TestRun();

        Assert.Throws<FormatException>(() => Climate.Create(run.Directory, _ => throw new FormatException("bad input")));

        Assert.False(File.Exists(run.ClimatePath));
        Assert.Null(Climate.TryGetInstance(run.Directory));
    }

    [Fact]
    public async Task CreateAsync_writes_the_initialised_document_and_caches_it()
    {
        using var run = new TestRun();

        Climate created = await Climate.CreateAsync(run.Directory, async c =>
        {
            await Task.Yield();
            c.Years.AddRange([1990, 1991]);
        });

        Assert.Same(created, Climate.GetInstance(run.Directory));
        Assert.Equal([1990, 1991], Climate.LoadDetached(run.Directory).Years);
        Assert.Equal(run.Directory, created.WorkingDirectory);
        Assert.Equal(run.ClimatePath, created.FilePath);
    }

    [Fact]
    public async Task Create_and_a_concurrent_reader_end_up_with_one_object()
    {
        for (int round = 0; round < 50; round++)
        {
            using var run = new TestRun();
            Task<Climate> reader = Task.Run(() =>
            {
                while (true)
                {
                    if (Climate.TryGetInstance(run.Directory) is { } found)
                    {
                        return found;
                    }
                }
            });

            Climate created = run.CreateClimate();
            Climate seen = await reader.Within();

            Assert.Same(Climate.GetInstance(run.Directory), created);
            Assert.Same(created, seen);
        }
    }

    [Fact]
    public async Task Within_the_refresh_interval_a_lock_still_reads_the_disk()
    {
        using IDisposable throttled = Backend.BindNew(o => o.RefreshInterval = TimeSpan.FromHours(1));
        using var run = new TestRun();
        Climate cached = run.CreateClimate(stationId: "CACHED");
        Assert.Same(cached, Climate.GetInstance(run.Directory));
        run.WriteClimateText("""{ "stationId": "ON-DISK" }""");

        // Whether GetInstance looks at the disk within the interval depends on the backend (Redis change notices make it
        // look, the notice of this process's own commit included: RefreshIntervalTests in NoDb.Runtime.Tests shows the file
        // backend's hot path); taking the lock always brings the instance up to date with the disk.
        await using (await cached.LockAsync())
        {
            Assert.Equal("ON-DISK", cached.StationId);
        }

        Assert.Same(cached, Climate.GetInstance(run.Directory));
    }

    [Fact]
    public async Task A_hand_edit_after_the_last_commit_is_what_a_fresh_process_reads_not_the_cached_body()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "CACHED");
        await climate.UpdateAsync(c => c.Counter = 1);
        await Backend.DocumentCachedAsync(run.Directory).Within();

        run.WriteClimateText("""{ "stationId": "HAND", "Counter": 1 }""");
        Forget(run.Directory);

        Assert.Equal("HAND", Climate.GetInstance(run.Directory).StationId);
    }

    [Fact]
    public async Task Two_runs_with_the_same_run_id_under_different_parents_share_no_lock_and_no_cached_document()
    {
        using var first = new TestRun();
        string secondRoot = Directory.CreateTempSubdirectory("nodb-twin-").FullName;
        string second = Path.Join(secondRoot, first.RunId);
        Directory.CreateDirectory(second);
        try
        {
            Climate a = first.CreateClimate(stationId: "FIRST");
            Climate b = Climate.Create(second, c => c.StationId = "SECOND");

            await using (await a.LockAsync())
            {
                NoDbLockScope? other = await b.TryLockAsync();
                Assert.NotNull(other);
                await other.DisposeAsync();
            }

            Forget(second);
            Assert.Equal("SECOND", Climate.GetInstance(second).StationId);
        }
        finally
        {
            Directory.Delete(secondRoot, recursive: true);
        }
    }

    [Fact]
    public async Task The_same_run_through_a_symbolic_link_has_one_lock()
    {
        using var run = new TestRun();
        Climate direct = run.CreateClimate();
        string alias = Path.Join(Path.GetDirectoryName(run.Directory)!, "alias-" + run.RunId);
        Directory.CreateSymbolicLink(alias, run.Directory);
        Climate throughLink = Climate.GetInstance(alias);

        await using (await direct.LockAsync())
        {
            Assert.Null(await throughLink.TryLockAsync());
        }
    }

    /// <summary>A cold load in this process: the next GetInstance loads again (from the cache if it may, else the disk).</summary>
    private static void Forget(string directory) => NoDbController<Climate>.Forget(directory);

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : InstanceRegistryTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : InstanceRegistryTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : InstanceRegistryTests(backend);
}
