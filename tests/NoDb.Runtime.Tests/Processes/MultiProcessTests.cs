using System.Globalization;
using NoDb.Runtime.Tests.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Processes;

public sealed class MultiProcessTests
{
    [Fact]
    public async Task Several_processes_incrementing_one_document_lose_nothing()
    {
        const int processes = 4;
        const int incrementsEach = 50;
        using var run = new TestRun();
        run.CreateClimate();

        var workers = Enumerable.Range(0, processes)
            .Select(_ => WorkerProcess.Start("increment", run.Directory, incrementsEach.ToString(CultureInfo.InvariantCulture)))
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
        using WorkerProcess holder = WorkerProcess.Start("hold", run.Directory);
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
        using WorkerProcess holder = WorkerProcess.Start("hold", run.Directory);
        Assert.StartsWith("locked", await holder.ReadLineAsync(TestTimeouts.Patience), StringComparison.Ordinal);

        Assert.Null(await climate.TryLockAsync());
        await Assert.ThrowsAsync<NoDbLockTimeoutException>(async () => await climate.LockAsync(TimeSpan.FromMilliseconds(100)));

        await holder.KillAsync();
        NoDbLockScope? scope = await climate.LockAsync(TimeSpan.FromSeconds(30)).Within();
        await scope.DisposeAsync();
    }
}
