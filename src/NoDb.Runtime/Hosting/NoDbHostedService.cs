using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NoDb.Engine;

namespace NoDb.Hosting;

/// <summary>
/// Builds the engine from the host's options when the host starts (before any hosted service's <c>StartAsync</c>, so they
/// all see it) and puts it in force; takes it out and disposes it when the host has stopped.
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
        NoDbRuntime.Install(engine);
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
            // Another host or Configure may have replaced it meanwhile; then it was disposed already, and disposing is idempotent.
            NoDbRuntime.Uninstall(engine);
            engine.Dispose();
        }

        return Task.CompletedTask;
    }
}
