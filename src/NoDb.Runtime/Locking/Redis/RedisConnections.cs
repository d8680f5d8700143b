using System.Collections.Concurrent;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>One long-lived multiplexer per configuration string, as StackExchange.Redis intends.</summary>
internal static class RedisConnections
{
    private static readonly ConcurrentDictionary<string, Lazy<IConnectionMultiplexer>> Connections = new(StringComparer.Ordinal);

    public static IConnectionMultiplexer Get(string configuration) =>
        Connections.GetOrAdd(configuration, static c => new Lazy<IConnectionMultiplexer>(() => Connect(c))).Value;

    private static ConnectionMultiplexer Connect(string configuration)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{configuration}' is not a StackExchange.Redis configuration string: {e.Message}", nameof(configuration), e);
        }

        // Keep trying in the background when Redis is down at start, and reconnect by itself after an outage; calls made
        // meanwhile fail with an error that names the endpoint.
        options.AbortOnConnectFail = false;
        options.ClientName ??= $"nodb:{Environment.MachineName}:{Environment.ProcessId}";
        return ConnectionMultiplexer.Connect(options);
    }
}
