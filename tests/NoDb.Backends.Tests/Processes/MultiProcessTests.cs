using System.Globalization;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Processes;

public abstract class MultiProcessTests(BackendFixture backend) : BackendTest(backend)
{
    [Fact]
    public async Task Several_processes_incrementing_one_document_lose_nothing()
    {
        const int processes = 4;
        const int incrementsEach = 50;
        using var run = new TestRun();
        run.CreateClimate();

        var workers = Enumerable.Range(0, processes)
            .Select(_ => Backend.StartWorker("increment", run.Directory, incrementsEach.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        try
        {
            // This process contends too, through its cached instance.
            Climate climate = Climate.GetInstance(run.Directory);
            for (int i = 0; i < incrementsEach; i++)
            {
                await climate.UpdateAsync(c => c.Counter++);
            }

            foreach (WorkerProcess worker in workers)
            {
                Assert.Equal("done", await worker.ReadLineAsync(TimeSpan.FromSeconds(120)));
                Assert.Equal(0, await worker.WaitForExitAsync(TestTimeouts.Patience));
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }

        Assert.Equal((processes + 1) * incrementsEach, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_holder_killed_while_holding_the_lock_lets_the_next_waiter_proceed()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        using WorkerProcess holder = Backend.StartWorker("hold", run.Directory);
        Assert.StartsWith("locked", await holder.ReadLineAsync(TestTimeouts.Patience), StringComparison.Ordinal);
        Assert.True(await climate.IsLockedAsync());

        Task<NoDbLockScope> waiter = climate.LockAsync(TimeSpan.FromSeconds(60)).AsTask();
        Assert.False(waiter.IsCompleted);

        await holder.KillAsync();

        await using (await waiter.Within())
        {
            climate.Counter = 1;
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task Try_lock_sees_a_lock_held_by_another_process()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        using WorkerProcess holder = Backend.StartWorker("hold", run.Directory);
        Assert.StartsWith("locked", await holder.ReadLineAsync(TestTimeouts.Patience), StringComparison.Ordinal);

        Assert.Null(await climate.TryLockAsync());
        await Assert.ThrowsAsync<NoDbLockTimeoutException>(async () => await climate.LockAsync(TimeSpan.FromMilliseconds(100)));

        await holder.KillAsync();
        NoDbLockScope? scope = await climate.LockAsync(TimeSpan.FromSeconds(30)).Within();
        await scope.DisposeAsync();
    }

    [Fact]
    public async Task A_hundred_tasks_over_four_processes_never_see_two_holders()
    {
        using var run = new TestRun();
        run.CreateClimate();

        // 4 processes x 25 tasks x 4 rounds; inside the lock each creates a marker file exclusively, which fails if
        // another holder is inside at the same moment.
        List<WorkerProcess> workers = [.. Enumerable.Range(0, 4).Select(_ => Backend.StartWorker("exclusive", run.Directory, "4"))];
        try
        {
            foreach (WorkerProcess worker in workers)
            {
                Assert.Equal("done", await worker.ReadLineAsync(TimeSpan.FromMinutes(2)));
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }

        Assert.Equal(4 * 25 * 4, Climate.LoadDetached(run.Directory).Counter);
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : MultiProcessTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : MultiProcessTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : MultiProcessTests(backend);
}
