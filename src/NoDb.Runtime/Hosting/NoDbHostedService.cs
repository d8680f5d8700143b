using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NoDb.Engine;

namespace NoDb.Hosting;

/// <summary>
/// Builds the engine from the host's options when the host starts (before any hosted service's <c>StartAsync</c>, so they
/// all see it) and puts it in force; takes it out and disposes it when the host has stopped. Another host's engine is
/// never disposed or overwritten: the host started last is in force process-wide while it runs, and
/// <see cref="NoDbRuntime.UseHost"/> binds a flow to a given host's engine.
/// </summary>
internal sealed class NoDbHostedService(IOptions<NoDbOptions> options, NoDbRedisSource redis, IServiceProvider services, ILoggerFactory? loggerFactory = null)
    : IHostedLifecycleService
{
    private NoDbEngine? _engine;

    /// <summary>The engine this host put in force, while it runs.</summary>
    internal NoDbEngine? Engine => Volatile.Read(ref _engine);

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var engine = new NoDbEngine(options.Value, redis.Factory?.Invoke(services), options.Value.LoggerFactory ?? loggerFactory);
        Volatile.Write(ref _engine, engine);
        NoDbRuntime.InstallHosted(engine);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _engine, null) is { } engine)
        {
            // The host started before this one (if it still runs) or the configured runtime is in force again.
            NoDbRuntime.UninstallHosted(engine);
            engine.Dispose();
        }

        return Task.CompletedTask;
    }
}
