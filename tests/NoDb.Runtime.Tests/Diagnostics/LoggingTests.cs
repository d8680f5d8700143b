using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NoDb.Runtime.Tests.Instances;
using NoDb.Runtime.Tests.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Diagnostics;

/// <summary>A host puts its runtime (and its logger) in force process-wide, so these run alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class LoggingTests : IDisposable
{
    public void Dispose() => TestRuntime.Configure();

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
            o.LeaseCheckInterval = TestRuntime.LeaseCheckInterval;
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

        Entry timeout = Assert.Single(sink.Entries, e => e.Id.Id == 1);
        Assert.Equal(("LockTimeout", LogLevel.Warning, "NoDb"), (timeout.Id.Name, timeout.Level, timeout.Category));
        Assert.Contains("climate.nodb", timeout.Message, StringComparison.Ordinal);
        Entry lost = Assert.Single(sink.Entries, e => e.Id.Id == 2);
        Assert.Equal(("LeaseLost", LogLevel.Warning), (lost.Id.Name, lost.Level));
        Assert.Contains("forced open", lost.Message, StringComparison.Ordinal);
        Entry refused = Assert.Single(sink.Entries, e => e.Id.Id == 3);
        Assert.Equal(("WriteRefused", LogLevel.Warning), (refused.Id.Name, refused.Level));
    }

    [Fact]
    public async Task Without_a_host_nothing_is_logged_unless_a_logger_factory_is_given()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var sink = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(sink));
        TestRuntime.Configure(o => o.LoggerFactory = factory);

        await using (await climate.LockAsync().Within())
        {
            await Assert.ThrowsAsync<NoDbLockTimeoutException>(() => Elsewhere.Run(async () => await Climate.LoadDetached(run.Directory).LockAsync(TimeSpan.FromMilliseconds(20)))).Within();
            await Assert.ThrowsAsync<NoDbAlreadyLockedException>(() => Elsewhere.Run(async () => await Climate.LoadDetached(run.Directory).LockAsync(TimeSpan.Zero))).Within();
        }

        Assert.Single(sink.Entries, e => e.Id.Id == 1);
        using var unlogged = new NoDb.Engine.NoDbEngine(new NoDbOptions().UseFileLocks());
        Assert.Same(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, unlogged.Logger);
    }

    internal sealed record Entry(string Category, LogLevel Level, EventId Id, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category == "NoDb")
                {
                    entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception)));
                }
            }
        }
    }
}
