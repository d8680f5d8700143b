using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NoDb.Runtime.Tests.Instances;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Diagnostics;

/// <summary>A host puts its runtime (and its logger) in force process-wide, so these run alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class LoggingTests(FileLocksFixture files) : IDisposable
{
    /// <summary>Back to the file backend with the test options process-wide (nothing else here uses the process-wide runtime).</summary>
    public void Dispose() => NoDbRuntime.Configure(files.Apply);

    [Fact]
    public async Task A_host_logs_timeouts_losses_and_refused_writes_with_stable_event_ids()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var sink = new CapturingLoggerProvider();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(sink);
        builder.Services.AddNoDb(o =>
        {
            o.LeaseCheckInterval = BackendFixture.LeaseCheckInterval;
            o.RefreshInterval = TimeSpan.Zero;
        });
        using IHost host = builder.Build();
        await host.StartAsync().Within();
        try
        {
            Climate other = Climate.LoadDetached(run.Directory);
            await using (await climate.LockAsync().Within())
            {
                await Assert.ThrowsAsync<NoDbLockTimeoutException>(() => Elsewhere.Run(async () => await other.LockAsync(TimeSpan.FromMilliseconds(20)))).Within();
            }

            NoDbLockScope stale = await climate.LockAsync().Within();
            run.WriteClimateText("""{ "counter": 5 }""");
            climate.Counter = 2;
            await Assert.ThrowsAsync<NoDbStaleWriteException>(async () => await stale.DisposeAsync()).Within();

            NoDbLockScope forced = await climate.LockAsync().Within();
            await Climate.LoadDetached(run.Directory).ForceUnlockAsync().Within();
            await forced.LockLost.WhenCancelled().Within();
            await Assert.ThrowsAsync<NoDbLockLostException>(async () => await forced.DisposeAsync()).Within();
        }
        finally
        {
            await host.StopAsync().Within();
        }

        CapturingLoggerProvider.Entry timeout = Assert.Single(sink.Entries, e => e.Id.Id == 1);
        Assert.Equal(("LockTimeout", LogLevel.Warning, "NoDb"), (timeout.Id.Name, timeout.Level, timeout.Category));
        Assert.Contains("climate.nodb", timeout.Message, StringComparison.Ordinal);
        CapturingLoggerProvider.Entry lost = Assert.Single(sink.Entries, e => e.Id.Id == 2);
        Assert.Equal(("LeaseLost", LogLevel.Warning), (lost.Id.Name, lost.Level));
        Assert.Contains("forced open", lost.Message, StringComparison.Ordinal);
        CapturingLoggerProvider.Entry refused = Assert.Single(sink.Entries, e => e.Id.Id == 3);
        Assert.Equal(("WriteRefused", LogLevel.Warning), (refused.Id.Name, refused.Level));
    }

    [Fact]
    public async Task Without_a_host_nothing_is_logged_unless_a_logger_factory_is_given()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var sink = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(sink));
        NoDbRuntime.Configure(o =>
        {
            files.Apply(o);
            o.LoggerFactory = factory;
        });

        await using (await climate.LockAsync().Within())
        {
            await Assert.ThrowsAsync<NoDbLockTimeoutException>(() => Elsewhere.Run(async () => await Climate.LoadDetached(run.Directory).LockAsync(TimeSpan.FromMilliseconds(20)))).Within();
            await Assert.ThrowsAsync<NoDbAlreadyLockedException>(() => Elsewhere.Run(async () => await Climate.LoadDetached(run.Directory).LockAsync(TimeSpan.Zero))).Within();
        }

        Assert.Single(sink.Entries, e => e.Id.Id == 1);
        using var unlogged = new NoDb.Engine.NoDbEngine(new NoDbOptions().UseFileLocks());
        Assert.Same(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, unlogged.Logger);
    }

    [Fact]
    public async Task A_wait_longer_than_the_threshold_is_logged_when_it_succeeds_and_a_short_one_is_not()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var sink = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(sink));
        var clock = new ObservedClock();
        using var engine = new NoDb.Engine.NoDbEngine(new NoDbOptions
        {
            TimeProvider = clock,
            LoggerFactory = factory,
            SlowLockWaitThreshold = TimeSpan.FromSeconds(5),
            RefreshInterval = TimeSpan.Zero,
        }.UseFileLocks());
        using IDisposable bound = NoDbRuntime.Bind(engine);

        await (await climate.LockAsync().Within()).DisposeAsync(); // uncontended: far below the threshold
        NoDbLockScope held = await climate.LockAsync().Within();
        Task<NoDbLockScope> waiter = Elsewhere.Run(async () =>
        {
            using IDisposable again = NoDbRuntime.Bind(engine);
            return await climate.LockAsync(TimeSpan.FromMinutes(7));
        });
        await clock.TimerStarted(TimeSpan.FromMinutes(7)).Within(); // the waiter is queued at the gate
        clock.Advance(TimeSpan.FromSeconds(6));
        await held.DisposeAsync();
        await (await waiter.Within()).DisposeAsync();

        CapturingLoggerProvider.Entry slow = Assert.Single(sink.Entries, e => e.Id.Id == 8);
        Assert.Equal(("SlowLockWait", LogLevel.Warning, "NoDb"), (slow.Id.Name, slow.Level, slow.Category));
        Assert.Contains("climate.nodb", slow.Message, StringComparison.Ordinal);
        Assert.Contains("00:00:06", slow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_LockLost_callback_that_throws_is_logged_and_the_loss_still_recorded()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var sink = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(sink));
        using var engine = new NoDb.Engine.NoDbEngine(new NoDbOptions { LoggerFactory = factory, RefreshInterval = TimeSpan.Zero }.UseFileLocks());
        using IDisposable bound = NoDbRuntime.Bind(engine);

        NoDbLockScope scope = await climate.LockAsync().Within();
        scope.LockLost.Register(() => throw new InvalidOperationException("the application's callback failed"));
        await Climate.LoadDetached(run.Directory).ForceUnlockAsync().Within();

        Assert.True(scope.LockLost.IsCancellationRequested);
        CapturingLoggerProvider.Entry failed = Assert.Single(sink.Entries, e => e.Id.Id == 10);
        Assert.Equal(("LockLostCallbackFailed", LogLevel.Error), (failed.Id.Name, failed.Level));
        Assert.Equal("the application's callback failed", failed.Exception?.Message);
        Assert.Single(sink.Entries, e => e.Id.Id == 2);
        await Assert.ThrowsAnyAsync<NoDbException>(async () => await scope.DisposeAsync()).Within();
    }
}
