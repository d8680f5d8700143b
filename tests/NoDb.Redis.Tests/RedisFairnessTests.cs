using System.Diagnostics;
using System.Globalization;
using NoDb.Locking;
using NoDb.Locking.Redis;
using NoDb.TestSupport;
using NoDb.Storage;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// Issue 14: waiters queue in Redis, first come first served across processes, so that a process releasing a lock
/// cannot take it straight back while others wait; a waiter that dies in the queue holds nobody up for longer than its
/// ticket lives.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisFairnessTests(RedisFixture fixture) : BackendTest(fixture)
{
    [Fact]
    public async Task Processes_contending_for_one_document_each_get_a_fair_share_and_lose_nothing()
    {
        const int processes = 4;
        const int flowsEach = 2; // the process's own waiters compete with the other processes' too
        using var run = new TestRun();
        run.CreateClimate();

        List<WorkerProcess> workers = [.. Enumerable.Range(0, processes).Select(_ =>
            Backend.StartWorker("contend", run.Directory, "3000", flowsEach.ToString(CultureInfo.InvariantCulture)))];
        var counts = new List<int>();
        try
        {
            foreach (WorkerProcess worker in workers)
            {
                Assert.Equal("ready", await worker.ReadLineAsync(TimeSpan.FromSeconds(60)));
            }

            foreach (WorkerProcess worker in workers)
            {
                await worker.WriteLineAsync("go");
            }

            foreach (WorkerProcess worker in workers)
            {
                string line = await worker.ReadLineAsync(TimeSpan.FromSeconds(60));
                Assert.StartsWith("count ", line, StringComparison.Ordinal);
                counts.Add(int.Parse(line["count ".Length..], CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }

        int total = counts.Sum();
        Assert.Equal(total, Climate.LoadDetached(run.Directory).Counter);
        Assert.True(total >= 4 * processes, $"too few commits to judge: {string.Join(", ", counts)}");
        foreach (int count in counts)
        {
            Assert.True(count * 2 * processes >= total,
                $"a process got {count} of {total} commits, less than 1/(2N) = 1/{2 * processes}; shares: {string.Join(", ", counts)}");
        }
    }

    [Fact]
    public async Task A_process_that_releases_goes_behind_a_waiter_already_queued()
    {
        using var run = new TestRun();
        run.CreateClimate();
        var target = new LockTarget(run.Directory, "climate.nodb");
        using var processes = await TwoProcesses.ConnectAsync(Backend.RedisConfiguration!, TimeSpan.FromSeconds(10));
        (ConnectionMultiplexer first, RedisLockBackend a, RedisLockBackend b) = (processes.First, processes.A, processes.B);

        ILockLease held = (await a.TryAcquireAsync(target, CancellationToken.None))!;
        Task<ILockLease> waiter = b.AcquireAsync(target, TestTimeouts.Patience, CancellationToken.None).AsTask();
        using (var queue = await QueueWatch.StartAsync(first, target))
        {
            await queue.UntilLengthAsync(1);
        }

        // The holder gives the lock back and asks again at once: the queued waiter has it first.
        await held.ReleaseAsync();
        Task<ILockLease> again = a.AcquireAsync(target, TestTimeouts.Patience, CancellationToken.None).AsTask();
        ILockLease next = await waiter.Within();
        Assert.False(again.IsCompleted);
        Assert.True(next.FencingNumber > held.FencingNumber);

        await next.ReleaseAsync();
        ILockLease last = await again.Within();
        Assert.True(last.FencingNumber > next.FencingNumber);
        await last.ReleaseAsync();
    }

    [Fact]
    public async Task A_waiter_killed_while_queued_holds_the_others_up_no_longer_than_its_ticket()
    {
        using var run = new TestRun();
        run.CreateClimate();
        var target = new LockTarget(run.Directory, "climate.nodb");
        using var processes = await TwoProcesses.ConnectAsync(Backend.RedisConfiguration!, TimeSpan.FromSeconds(30));
        (ConnectionMultiplexer first, RedisLockBackend holder, RedisLockBackend other) = (processes.First, processes.A, processes.B);
        ILockLease held = (await holder.TryAcquireAsync(target, CancellationToken.None))!;

        using var queue = await QueueWatch.StartAsync(first, target);
        using WorkerProcess doomed = Backend.StartWorker("increment", run.Directory, "1");
        await queue.UntilLengthAsync(1);
        Task<ILockLease> waiter = other.AcquireAsync(target, TestTimeouts.Patience, CancellationToken.None).AsTask();
        await queue.UntilLengthAsync(2);
        Assert.StartsWith($"{2000}:", (await queue.MembersAsync())[0], StringComparison.Ordinal); // the worker's 2 s lease: first in line

        // The first in line dies (SIGKILL: nothing of it runs). The release hands the lock to its ticket, which is still
        // live; the lease it gets is capped at the ticket's lifetime, so the next waiter has the lock within that.
        await doomed.KillAsync();
        var since = Stopwatch.StartNew();
        await held.ReleaseAsync();
        string? grantee = await first.GetDatabase().StringGetAsync(queue.LockKey);
        ILockLease next = await waiter.Within();
        TimeSpan waited = since.Elapsed;

        Assert.StartsWith($"{Environment.MachineName}|{doomed.Id}|", grantee, StringComparison.Ordinal); // the dead waiter had it in between
        Assert.True(next.FencingNumber > held.FencingNumber);
        Assert.True(waited < RedisLockBackend.HandOffLease + TimeSpan.FromSeconds(1.5),
            $"the next waiter waited {waited.TotalSeconds:0.00} s behind a dead one, more than its ticket's {RedisLockBackend.TicketLifetime.TotalSeconds} s");
        await next.ReleaseAsync();
        Assert.Equal(0, Climate.LoadDetached(run.Directory).Counter); // the killed worker never committed
    }

    [Fact]
    public async Task A_waiter_that_times_out_leaves_the_queue_at_once()
    {
        using var run = new TestRun();
        run.CreateClimate();
        var target = new LockTarget(run.Directory, "climate.nodb");
        using var processes = await TwoProcesses.ConnectAsync(Backend.RedisConfiguration!, TimeSpan.FromSeconds(10));
        (ConnectionMultiplexer first, RedisLockBackend a, RedisLockBackend b) = (processes.First, processes.A, processes.B);
        ILockLease held = (await a.TryAcquireAsync(target, CancellationToken.None))!;

        await Assert.ThrowsAsync<LockWaitTimeoutException>(async () => await b.AcquireAsync(target, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        Task<ILockLease> cancelled = b.AcquireAsync(target, TestTimeouts.Patience, cancel.Token).AsTask();
        using (var queue = await QueueWatch.StartAsync(first, target))
        {
            await queue.UntilLengthAsync(1);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Within());
            Assert.Empty(await queue.MembersAsync());
        }

        // Nobody queues now: the lock, once released, is free for anyone to try.
        await held.ReleaseAsync();
        ILockLease? taken = await b.TryAcquireAsync(target, CancellationToken.None);
        Assert.NotNull(taken);
        await taken.ReleaseAsync();
    }

    [Fact]
    public async Task Queue_entries_that_are_not_live_tickets_never_block_it()
    {
        using var run = new TestRun();
        run.CreateClimate();
        var target = new LockTarget(run.Directory, "climate.nodb");
        using var processes = await TwoProcesses.ConnectAsync(Backend.RedisConfiguration!, TimeSpan.FromSeconds(30));
        (ConnectionMultiplexer first, RedisLockBackend a, RedisLockBackend b) = (processes.First, processes.A, processes.B);
        ILockLease held = (await a.TryAcquireAsync(target, CancellationToken.None))!;

        // Ahead of the real waiter: a member NoDb never wrote, a ticket whose expiry was lost (as eviction of the expiry
        // set would leave it), and one asking for a lease of 0 ms (which SET PX would refuse, failing the release).
        using var queue = await QueueWatch.StartAsync(first, target);
        await first.GetDatabase().SortedSetAddAsync(queue.Key, [new SortedSetEntry("not a ticket", 1), new SortedSetEntry("2000:h|1|ghost", 2), new SortedSetEntry("0:h|1|no-lease", 3)]);
        await first.GetDatabase().SortedSetAddAsync(queue.Key.Append("-expiry"), "0:h|1|no-lease", double.MaxValue);
        Task<ILockLease> waiter = b.AcquireAsync(target, TestTimeouts.Patience, CancellationToken.None).AsTask();
        await queue.UntilLengthAsync(4);

        var since = Stopwatch.StartNew();
        await held.ReleaseAsync();
        ILockLease next = await waiter.Within();
        Assert.True(since.Elapsed < TimeSpan.FromSeconds(1), $"the waiter waited {since.Elapsed.TotalSeconds:0.00} s behind entries that are not live tickets");
        Assert.True(next.FencingNumber > held.FencingNumber);
        Assert.Empty(await queue.MembersAsync());
        await next.ReleaseAsync();
    }

    [Fact]
    public async Task A_notice_wakes_only_the_waiter_it_names()
    {
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(Backend.RedisConfiguration!);
        using var signals = new ReleaseSignals(connection, "h|1", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Task<string?> mine = signals.Register("nodb:{k}:lock", "2000:h|1|me");
        signals.Deliver("nodb:{k}:lock\n2000:h|1|someone-else\nh|1|1764590000000|someone-else|42");
        signals.Deliver("nodb:{other}:lock");
        Assert.False(mine.IsCompleted);
        signals.Deliver("nodb:{k}:lock\n2000:h|1|me\nh|1|1764590000000|me|42");
        Assert.Equal("h|1|1764590000000|me|42", await mine.Within());
        Assert.Equal(42, ReleaseSignals.FenceOf("h|1|1764590000000|me|42"));

        Task<string?> plain = signals.Register("nodb:{k}:lock", "2000:h|1|me");
        signals.Deliver("nodb:{k}:lock");
        Assert.Null(await plain.Within()); // released to anyone: try
        Task<string?> head = signals.Register("nodb:{k}:lock", "2000:h|1|me");
        signals.Deliver("nodb:{k}:lock\n2000:h|1|me\nnot-a-lock-value");
        Assert.Null(await head.Within()); // first in line, but no grant to trust: try
    }

    /// <summary>Follows the length of a lock's waiter queue through Redis keyspace notifications, so tests await it.</summary>
    private sealed class QueueWatch : IDisposable
    {
        private readonly IDatabase _database;
        private readonly ChannelMessageQueue _events;
        private readonly RedisKey _queue;

        private QueueWatch(IDatabase database, ChannelMessageQueue events, RedisKeys keys)
        {
            _database = database;
            _events = events;
            _queue = keys.Queue;
            LockKey = keys.Lock;
        }

        public RedisKey LockKey { get; }

        public static async Task<QueueWatch> StartAsync(ConnectionMultiplexer connection, LockTarget target)
        {
            IDatabase database = connection.GetDatabase();
            await database.ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", "Kgz");
            using RunDirectory run = RunDirectory.Open(target.WorkingDirectory);
            using RunStateFolder state = run.OpenStateFolder(create: true)!;
            var keys = new RedisKeys(RunIdentity.OfOrCreate(run, state), target.FileName);
            ChannelMessageQueue events = await connection.GetSubscriber().SubscribeAsync(
                RedisChannel.Literal($"__keyspace@{database.Database}__:{keys.Queue}"));
            return new QueueWatch(database, events, keys);
        }

        public RedisKey Key => _queue;

        public async Task<string[]> MembersAsync() => [.. (await _database.SortedSetRangeByRankAsync(_queue)).Select(v => v.ToString())];

        /// <summary>Completes once the queue holds <paramref name="length"/> tickets, looking again at each change of it.</summary>
        public async Task UntilLengthAsync(int length)
        {
            using var bound = new CancellationTokenSource(TestTimeouts.Patience);
            while (await _database.SortedSetLengthAsync(_queue) != length)
            {
                _ = await _events.ReadAsync(bound.Token);
            }
        }

        public void Dispose() => _events.Unsubscribe();
    }

    /// <summary>Two backends on connections of their own, as two processes have: the second waits behind the first.</summary>
    private sealed class TwoProcesses : IDisposable
    {
        private readonly ConnectionMultiplexer _second;

        private TwoProcesses(ConnectionMultiplexer first, ConnectionMultiplexer second, TimeSpan lease)
        {
            First = first;
            _second = second;
            A = new RedisLockBackend(first, lease, TimeSpan.FromHours(1));
            B = new RedisLockBackend(second, lease, TimeSpan.FromHours(1));
        }

        public ConnectionMultiplexer First { get; }

        public RedisLockBackend A { get; }

        public RedisLockBackend B { get; }

        public static async Task<TwoProcesses> ConnectAsync(string configuration, TimeSpan lease) =>
            new(await ConnectionMultiplexer.ConnectAsync(configuration), await ConnectionMultiplexer.ConnectAsync(configuration), lease);

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            _second.Dispose();
            First.Dispose();
        }
    }
}
