using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace NoDb;

/// <summary>
/// Configures NoDb in a host, returned by <c>services.AddNoDb(...)</c>. Nothing takes effect when it is called: the host
/// builds the runtime from these settings when it starts, and stops it when it stops.
/// </summary>
public interface INoDbBuilder
{
    /// <summary>The service collection NoDb is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>Selects the Redis backend, connecting with a StackExchange.Redis configuration string (see <see cref="NoDbOptions.UseRedis"/>).</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string or a <c>redis://</c> URI.</param>
    /// <returns>This builder, for chaining.</returns>
    INoDbBuilder UseRedis(string configuration);

    /// <summary>
    /// Selects the Redis backend on the application's own multiplexer (for example the one Aspire's <c>AddRedisClient</c>
    /// registers: <c>UseRedis(sp =&gt; sp.GetRequiredService&lt;IConnectionMultiplexer&gt;())</c>). The factory is called once,
    /// when the host starts; NoDb never closes the multiplexer.
    /// </summary>
    /// <param name="factory">Returns the multiplexer from the application's services.</param>
    /// <returns>This builder, for chaining.</returns>
    INoDbBuilder UseRedis(Func<IServiceProvider, IConnectionMultiplexer> factory);

    /// <summary>Selects the embedded backend: OS file locks on the local disk, no server (the default).</summary>
    /// <returns>This builder, for chaining.</returns>
    INoDbBuilder UseFileLocks();

    /// <summary>Changes the options, after the <c>NoDb</c> configuration section has been bound onto them.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder, for chaining.</returns>
    INoDbBuilder Configure(Action<NoDbOptions> configure);
}
