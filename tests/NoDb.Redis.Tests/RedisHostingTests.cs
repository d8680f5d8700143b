using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>A host on the application's own multiplexer, and the health check against a Redis that stops and comes back.</summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisHostingTests(RedisFixture fixture)
{
    private static IHost BuildHost(IConnectionMultiplexer redis, Action? onFactory = null, EventIdSink? logs = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton(redis);
        builder.Services
            .AddNoDb(o =>
            {
                o.DefaultLockTimeout = TimeSpan.FromSeconds(5);
                o.LeaseCheckInterval = BackendFixture.LeaseCheckInterval;
                o.RefreshInterval = TimeSpan.Zero;
            })
            .UseRedis(sp =>
            {
                onFactory?.Invoke();
                return sp.GetRequiredService<IConnectionMultiplexer>();
            });
        builder.Services.AddHealthChecks().AddNoDb();
        return builder.Build();
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().Within()).Entries["nodb"];

    [Fact]
    public async Task A_host_runs_on_the_applications_multiplexer_and_leaves_it_open_when_it_stops()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration).Within();
        int factoryCalls = 0;
        using IHost host = BuildHost(redis, () => factoryCalls++);

        await host.StartAsync().Within();
        Assert.Same(redis, NoDbRuntime.Engine.Cache is Locking.Redis.RedisLockBackend backend ? backend.Redis : null);
        await climate.UpdateAsync(c => c.Counter = 2).Within();
        HealthReportEntry health = await CheckAsync(host);
        await host.StopAsync().Within();

        Assert.Equal(1, factoryCalls);
        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("redis", health.Data["backend"]);
        Assert.True(redis.IsConnected);
        Assert.NotEqual(default, await redis.GetDatabase().PingAsync().Within());
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_while_redis_is_down_and_healthy_after_it_restarts_and_both_are_logged()
    {
        using RedisServer server = RedisServer.Start();
        var options = ConfigurationOptions.Parse($"{server.Configuration},abortConnect=false,connectTimeout=500,syncTimeout=1000,asyncTimeout=1000");
        options.ReconnectRetryPolicy = new LinearRetry(100);
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(options).Within();
        var logs = new EventIdSink();
        using IHost host = BuildHost(redis, logs: logs);
        await host.StartAsync().Within();
        try
        {
            Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);

            server.Kill();
            HealthReportEntry down = await CheckAsync(host);
            Assert.Equal(HealthStatus.Unhealthy, down.Status);

            server.Restart();
            await Eventually.True(async () => (await CheckAsync(host)).Status == HealthStatus.Healthy);
            await Eventually.True(() => logs.Ids.Contains(7));
            Assert.Contains(6, logs.Ids); // RedisConnectionFailed, before RedisConnectionRestored
        }
        finally
        {
            await host.StopAsync().Within();
        }
    }

    /// <summary>Keeps the event ids NoDb logs.</summary>
    private sealed class EventIdSink : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<int> Ids { get; } = new();

        public ILogger CreateLogger(string categoryName) => categoryName == "NoDb" ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Ids.Enqueue(eventId.Id);

        public void Dispose()
        {
        }
    }
}
