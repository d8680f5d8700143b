using System.Collections.Concurrent;
using System.Globalization;
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
        ConfigurationOptions options = Parse(configuration);

        // Keep trying in the background when Redis is down at start, and reconnect by itself after an outage; calls made
        // meanwhile fail with an error that names the endpoint.
        options.AbortOnConnectFail = false;
        options.ClientName ??= $"nodb:{Environment.MachineName}:{Environment.ProcessId}";
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>
    /// Parses a StackExchange.Redis configuration string, or a <c>redis://[user[:password]@]host[:port][/database][?option=value&amp;…]</c>
    /// URI (<c>rediss://</c> for TLS; the query's options are StackExchange.Redis's), into options. The URI's user information becomes the options' user and password, so
    /// that no endpoint name (which error messages quote) carries it. Errors never quote a password.
    /// </summary>
    internal static ConfigurationOptions Parse(string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string trimmed = configuration.Trim();
        try
        {
            if (trimmed.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            {
                return ParseUri(trimmed);
            }

            return ConfigurationOptions.Parse(configuration);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            // The inner exception is left out: its message may quote the string, password included.
            throw new ArgumentException(
                $"'{RedisSecrets.HideValues(configuration)}' (values hidden) is not a StackExchange.Redis configuration string (such as " +
                $"'host:6379,password=…,ssl=true') nor a redis:// URI: {RedisSecrets.Redact(e.Message)}",
                nameof(configuration));
        }
    }

    private static ConfigurationOptions ParseUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
        {
            throw new FormatException("the redis:// URI has no host; write redis://[user[:password]@]host[:port][/database].");
        }

        // Query options are StackExchange.Redis's own (?connectTimeout=1000&ssl=true), parsed as in a configuration string.
        string query = string.Join(',', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString));
        ConfigurationOptions options = query.Length > 0 ? ConfigurationOptions.Parse(query) : new ConfigurationOptions();
        if (options.EndPoints.Count > 0)
        {
            throw new FormatException("a redis:// URI names its one endpoint as its host; write more endpoints as a StackExchange.Redis configuration string.");
        }

        if (uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase))
        {
            options.Ssl = true;
        }

        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            string user = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                options.User = user.Length > 0 ? user : null;
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = user; // redis://secret@host: a password alone, as Redis before ACLs had
            }
        }

        string database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0)
        {
            options.DefaultDatabase = int.TryParse(database, NumberStyles.None, CultureInfo.InvariantCulture, out int db)
                ? db
                : throw new FormatException($"the redis:// URI's path '/{database}' is not a database number.");
        }

        return options;
    }
}
