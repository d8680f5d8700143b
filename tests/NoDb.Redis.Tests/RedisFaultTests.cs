using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NoDb.Locking;
using NoDb.Locking.Redis;
using NoDb.Redis.Tests.Support;
using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// The Redis backend under faults and hostile data: fence counters near and past 2^53, garbage in Redis, a lock key
/// with no expiry, a partitioned holder, a process that exits right after its commit. Some tests reconfigure the runtime
/// or pause traffic, so this class runs alone.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisFaultTests(RedisFixture fixture) : BackendTest(fixture)
{
    private const long TwoTo53 = 1L << 53;

    [Fact]
    public async Task Fencing_numbers_above_two_to_the_53_are_issued_exactly_and_never_repeat()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        IDatabase redis = Redis();
        RedisKeys keys = KeysOf(run);

        // Doubles hold every integer up to 2^53 and only every other one above it: Lua arithmetic would repeat numbers.
        await redis.StringSetAsync(keys.Fence, (TwoTo53 + 1).ToString(CultureInfo.InvariantCulture));
        var issued = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            NoDbLockToken token = await climate.AcquireLockAsync();
            issued.Add(token.FencingNumber);
            climate.Counter = i;
            await climate.DumpAndUnlockAsync(token);
        }

        Assert.Equal([TwoTo53 + 2, TwoTo53 + 3, TwoTo53 + 4], issued);
        Assert.Equal((TwoTo53 + 4).ToString(CultureInfo.InvariantCulture), (string?)await redis.StringGetAsync(keys.Fence));
        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_cached_document_above_two_to_the_53_is_never_replaced_by_one_fenced_just_below_it()
    {
        using var run = new TestRun();
        run.CreateClimate();
        IDatabase redis = Redis();
        RedisKeys keys = KeysOf(run);
        await redis.HashSetAsync(keys.Document, [new("fence", (TwoTo53 + 4).ToString(CultureInfo.InvariantCulture)), new("body", "{ \"Counter\": 4 }")]);

        // 2^53 + 3 and 2^53 + 4 are the same double.
        await redis.ScriptEvaluateAsync(RedisScripts.CacheCommitted, [keys.Document],
            [(TwoTo53 + 3).ToString(CultureInfo.InvariantCulture), "{ \"Counter\": 3 }", 60, "nodb:test", run.ClimatePath]);

        Assert.Equal("{ \"Counter\": 4 }", (string?)await redis.HashGetAsync(keys.Document, "body"));
    }

    [Fact]
    public async Task The_last_fencing_number_is_long_MaxValue_and_the_next_acquisition_is_refused_with_no_lease_taken()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        IDatabase redis = Redis();
        RedisKeys keys = KeysOf(run);
        await redis.StringSetAsync(keys.Fence, (long.MaxValue - 1).ToString(CultureInfo.InvariantCulture));

        NoDbLockToken last = await climate.AcquireLockAsync();
        Assert.Equal(long.MaxValue, last.FencingNumber);
        climate.Counter = 9;
        await climate.DumpAndUnlockAsync(last);
        Assert.Equal(9, Climate.LoadDetached(run.Directory).Counter);

        NoDbException error = await Assert.ThrowsAnyAsync<NoDbException>(async () => await climate.AcquireLockAsync(TimeSpan.FromSeconds(5)));
        Assert.IsNotType<NoDbLockTimeoutException>(error, exactMatch: false);
        Assert.Contains(run.ClimatePath, error.Message, StringComparison.Ordinal);
        Assert.Contains(keys.Fence.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("overflow", error.Message, StringComparison.Ordinal);
        Assert.False(await redis.KeyExistsAsync(keys.Lock));
        Assert.Equal(long.MaxValue.ToString(CultureInfo.InvariantCulture), (string?)await redis.StringGetAsync(keys.Fence));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("12.5")]
    [InlineData("99999999999999999999")]
    public async Task A_fence_counter_that_is_not_a_64_bit_whole_number_is_refused_naming_document_and_key_with_no_lease_taken(string garbage)
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        IDatabase redis = Redis();
        RedisKeys keys = KeysOf(run);
        await redis.StringSetAsync(keys.Fence, garbage);

        NoDbException waited = await Assert.ThrowsAnyAsync<NoDbException>(async () => await climate.LockAsync(TimeSpan.FromSeconds(5)));
        NoDbException tried = await Assert.ThrowsAnyAsync<NoDbException>(async () => await climate.TryLockAsync());
        foreach (NoDbException error in new[] { waited, tried })
        {
            Assert.IsNotType<NoDbLockTimeoutException>(error, exactMatch: false);
            Assert.Contains(run.ClimatePath, error.Message, StringComparison.Ordinal);
            Assert.Contains(keys.Fence.ToString(), error.Message, StringComparison.Ordinal);
        }

        Assert.False(await redis.KeyExistsAsync(keys.Lock));
        Assert.Equal(garbage, (string?)await redis.StringGetAsync(keys.Fence));

        // Following the message's advice recovers: the counter is seeded again from the disk.
        await redis.KeyDeleteAsync(keys.Fence);
        await climate.UpdateAsync(c => c.Counter = 1);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_fence_counter_of_another_type_is_refused_naming_document_and_key_with_no_lease_taken()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        IDatabase redis = Redis();
        RedisKeys keys = KeysOf(run);
        await redis.KeyDeleteAsync(keys.Fence);
        await redis.HashSetAsync(keys.Fence, "not", "a counter");

        NoDbException error = await Assert.ThrowsAnyAsync<NoDbException>(async () => await climate.LockAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(run.ClimatePath, error.Message, StringComparison.Ordinal);
        Assert.Contains(keys.Fence.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("hash", error.Message, StringComparison.Ordinal);
        Assert.False(await redis.KeyExistsAsync(keys.Lock));
    }

    [Fact]
    public async Task Clearing_a_run_clears_every_other_lock_before_it_reports_a_bad_fence_counter()
    {
        using var run = new TestRun();
        run.CreateClimate();
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration);
        using var backend = new RedisLockBackend(connection, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        var other = new LockTarget(run.Directory, "other.nodb");
        ILockLease held = (await backend.TryAcquireAsync(other, CancellationToken.None))!;
        await Redis().StringSetAsync(KeysOf(run).Fence, "abc");

        ClearOutcome outcome = await backend.ClearLocksAsync(run.Directory, CancellationToken.None);
        Assert.Contains(outcome.Refused, refusal => refusal.Contains(run.ClimatePath, StringComparison.Ordinal));
        Assert.False(await backend.IsLockedAsync(other, CancellationToken.None));
        Assert.True(held.Lost.IsCancellationRequested);
        held.Release();
    }

    [Fact]
    public async Task A_lock_key_with_no_expiry_is_waited_on_without_busy_polling_and_the_timeout_says_how_to_clear_it()
    {
        using var run = new TestRun();
        using RedisServer own = RedisServer.Start();
        using IDisposable onItsOwnServer = Backend.BindNew(o => o.UseRedis(own.Configuration));
        Climate climate = run.CreateClimate();
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync($"{own.Configuration},allowAdmin=true");
        RedisKeys keys = KeysOf(run);
        await admin.GetDatabase().StringSetAsync(keys.Lock, "elsewhere|1|1700000000000|0123456789abcdef|1"); // no expiry
        IServer server = admin.GetServers().Single();
        await server.ExecuteAsync("CONFIG", "RESETSTAT");

        TimeSpan timeout = TimeSpan.FromSeconds(2);
        NoDbLockTimeoutException error = await Assert.ThrowsAsync<NoDbLockTimeoutException>(async () => await climate.LockAsync(timeout));

        // Through notices and a bounded poll: a few script calls, not one every millisecond or so.
        long calls = ScriptCalls(await server.InfoRawAsync("commandstats") ?? "");
        Assert.InRange(calls, 1, 10);
        Assert.Contains("no expiry", error.Message, StringComparison.Ordinal);
        Assert.Contains(keys.Lock.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("ForceUnlockAsync", error.Message, StringComparison.Ordinal);
        Assert.Contains("ClearLocksAsync", error.Message, StringComparison.Ordinal);

        // The advice works.
        await climate.ForceUnlockAsync();
        await using (await climate.LockAsync(timeout))
        {
            climate.Counter = 1;
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_partitioned_holder_is_told_it_lost_the_lock_by_its_lease_deadline_before_another_can_take_it()
    {
        using var run = new TestRun();
        run.CreateClimate();
        await using var proxy = new PartitionProxy(fixture.Server.Port);
        TimeSpan lease = TimeSpan.FromSeconds(2);

        // The client's own timeouts are far beyond the lease, as on a real partition: nothing fails, replies stop coming.
        using ConnectionMultiplexer partitioned = await ConnectionMultiplexer.ConnectAsync($"{proxy.Configuration},asyncTimeout=30000,syncTimeout=30000");
        using ConnectionMultiplexer direct = await ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration);
        using var holderSide = new RedisLockBackend(partitioned, lease, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(100));
        using var otherSide = new RedisLockBackend(direct, lease, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(100));
        var target = new LockTarget(run.Directory, "climate.nodb");

        ILockLease held = (await holderSide.TryAcquireAsync(target, CancellationToken.None))!;
        long lostAt = 0;
        using CancellationTokenRegistration noted = held.Lost.Register(() => Volatile.Write(ref lostAt, Stopwatch.GetTimestamp()));

        long partitionedAt = Stopwatch.GetTimestamp();
        proxy.Partition();
        ILockLease taken = await otherSide.AcquireAsync(target, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask().Within();
        long takenAt = Stopwatch.GetTimestamp();
        try
        {
            // The holder stopped believing before Redis could give the lock to anyone else...
            Assert.True(held.Lost.IsCancellationRequested, $"The holder still believed it held the lock {Stopwatch.GetElapsedTime(partitionedAt, takenAt)} after the partition, when another took it.");
            Assert.True(Volatile.Read(ref lostAt) <= takenAt);

            // ...within a lease of its last confirmed renewal, which was sent at most then.
            Assert.InRange(Stopwatch.GetElapsedTime(partitionedAt, Volatile.Read(ref lostAt)), TimeSpan.Zero, lease + TimeSpan.FromMilliseconds(250));
            Assert.True(taken.FencingNumber > held.FencingNumber);
            using var directory = NoDb.Storage.RunDirectory.Open(run.Directory);
            await Assert.ThrowsAsync<NoDbLockLostException>(async () =>
                await held.CommitFencedAsync(directory, () => Assert.Fail("a holder that lost its lease must not write"),
                    new NoDb.Locking.FileLocks.FenceWait(TimeSpan.FromSeconds(5), Synchronous: false, CancellationToken.None)));
        }
        finally
        {
            proxy.Heal();
            taken.Release();
            held.Release();
        }
    }

    [Theory]
    [InlineData("async")]
    [InlineData("async-kill")] // DisposeAsync returned: the release has reached Redis, whatever happens next
    [InlineData("sync")] // Dispose sent it; process exit waits for it
    [InlineData("sync-exit")] // the same, with Environment.Exit right after the dispose
    public async Task A_process_that_commits_and_exits_at_once_leaves_no_lease_behind(string dispose)
    {
        using var run = new TestRun();
        run.CreateClimate();

        // The worker's lease lasts 30 s: one left behind would keep the lock long after the worker is gone.
        using (WorkerProcess worker = Backend.StartWorker("commit-exit", run.Directory, dispose))
        {
            if (dispose is "async" or "sync")
            {
                Assert.Equal("committed", await worker.ReadLineAsync(TestTimeouts.Patience));
            }

            int exitCode = await worker.WaitForExitAsync(TestTimeouts.Patience);
            Assert.Equal(dispose == "async-kill" ? 137 : 0, exitCode);
        }

        Climate climate = Climate.GetInstance(run.Directory);
        await using (NoDbLockScope? scope = await climate.TryLockAsync())
        {
            Assert.NotNull(scope);
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    private static long ScriptCalls(string commandStats) =>
        Regex.Matches(commandStats, @"^cmdstat_(?:eval|evalsha):calls=(\d+)", RegexOptions.Multiline)
            .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private static RedisKeys KeysOf(TestRun run) => RedisTestKeys.Of(run.Directory);

    private IDatabase Redis() => fixture.Database;
}
