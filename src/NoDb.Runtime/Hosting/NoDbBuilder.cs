using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace NoDb.Hosting;

/// <summary>The builder <c>AddNoDb</c> returns: every call registers options configuration or the multiplexer source, nothing more.</summary>
internal sealed class NoDbBuilder(IServiceCollection services, NoDbRedisSource redis) : INoDbBuilder
{
    public IServiceCollection Services { get; } = services;

    public INoDbBuilder UseRedis(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        redis.Factory = null;
        return Configure(o => o.UseRedis(configuration));
    }

    public INoDbBuilder UseRedis(Func<IServiceProvider, IConnectionMultiplexer> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        redis.Factory = factory;
        return this;
    }

    public INoDbBuilder UseFileLocks()
    {
        redis.Factory = null;
        return Configure(o => o.UseFileLocks());
    }

    public INoDbBuilder Configure(Action<NoDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}

/// <summary>The application's multiplexer factory, when <see cref="INoDbBuilder.UseRedis(Func{IServiceProvider, IConnectionMultiplexer})"/> chose one.</summary>
internal sealed class NoDbRedisSource
{
    public Func<IServiceProvider, IConnectionMultiplexer>? Factory { get; set; }
}
