using NoDb.Engine;
using NoDb.Locking;
using NoDb.Locking.Redis;
using StackExchange.Redis;

namespace NoDb.Tool.Runs;

/// <summary>
/// The runtime as the tool configures it: the Redis backend when <c>--redis</c> or <c>NODB_REDIS</c> names a server, the
/// embedded file locks otherwise, and a run directory resolver that maps the run id to the directory given on the command
/// line (the tool opens runs by path; the runtime's run-level operations take run ids).
/// </summary>
internal sealed class Backend
{
    private string? _current;

    private Backend(string? redis)
    {
        Redis = redis;
        NoDbRuntime.Configure(o =>
        {
            if (redis is null)
            {
                o.UseFileLocks();
            }
            else
            {
                o.UseRedis(redis);
            }

            // A force or clear waits this long at most for a fence file held by a process frozen mid-commit.
            o.DefaultLockTimeout = TimeSpan.FromSeconds(15);
            o.RunDirectoryResolver = runId => _current is { } d && Path.GetFileName(d) == runId ? d : null;
        });
    }

    /// <summary>The Redis configuration, or <see langword="null"/> for the embedded backend.</summary>
    public string? Redis { get; }

    /// <summary>"redis" or "file", as the runtime's metrics name the backends.</summary>
    public string Name => Redis is null ? "file" : "redis";

    /// <summary>A description for people: "embedded file locks" or "Redis at host:port".</summary>
    public string Description { get; private set; } = "embedded file locks";

    internal static NoDbEngine Engine => NoDbRuntime.Engine;

    internal static ILockBackend Locks => Engine.Locks;

    /// <summary>The multiplexer of the Redis backend (the runtime's own), or <see langword="null"/>.</summary>
    internal IConnectionMultiplexer? Multiplexer => Redis is null ? null : RedisConnections.Get(Redis);

    /// <summary>
    /// Configures the runtime from <paramref name="redisOption"/> (or <c>NODB_REDIS</c>) and, for Redis, proves the server is
    /// reachable, so that a server that is down gives one clear message instead of a failure per run.
    /// </summary>
    public static Backend Connect(string? redisOption)
    {
        string? redis = redisOption is { Length: > 0 } given ? given
            : Environment.GetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable) is { Length: > 0 } env ? env : null;
        Backend backend;
        try
        {
            backend = new Backend(redis);
        }
        catch (ArgumentException e)
        {
            throw new ToolUsageException(e.Message);
        }

        if (backend.Multiplexer is { } multiplexer)
        {
            string endpoints = string.Join(", ", multiplexer.GetEndPoints().Select(EndPointText));
            backend.Description = $"Redis at {endpoints}";
            if (!multiplexer.IsConnected)
            {
                throw new ToolFailureException(
                    $"Redis is unreachable at {endpoints}: no connection within the connect timeout. Check that the server " +
                    "runs and that --redis (or NODB_REDIS) names it; nothing was read or changed.");
            }
        }

        return backend;
    }

    /// <summary>Runs <paramref name="operation"/> with the runtime's run id resolver pointed at <paramref name="run"/>.</summary>
    public async ValueTask<T> ForRunAsync<T>(RunPath run, Func<string, ValueTask<T>> operation)
    {
        _current = run.Directory;
        try
        {
            return await operation(run.RunId).ConfigureAwait(false);
        }
        finally
        {
            _current = null;
        }
    }

    private static string EndPointText(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "?",
    };
}
