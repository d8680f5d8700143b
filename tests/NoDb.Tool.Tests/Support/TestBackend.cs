using NoDb.TestSupport;

namespace NoDb.Tool.Tests.Support;

/// <summary>
/// One of the two backends, for the tool and the worker processes alike: the embedded file locks (NODB_REDIS unset) or a
/// redis-server this test process starts once, on a free loopback port, and stops at exit.
/// </summary>
public sealed class TestBackend
{
    private static readonly Lazy<RedisServer> Server = new(() =>
    {
        RedisServer server = RedisServer.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    private readonly string? _configuration;

    private TestBackend(string name, string? configuration = null)
    {
        Name = name;
        _configuration = configuration;
    }

    /// <summary>Redis at <paramref name="configuration"/>, such as a port nothing listens on.</summary>
    public static TestBackend RedisAt(string configuration) => new("redis", configuration);

    public static TestBackend File { get; } = new("file");

    public static TestBackend Redis { get; } = new("redis");

    /// <summary>Both backends, for theories.</summary>
    public static TheoryData<string> Both => new() { "file", "redis" };

    public string Name { get; }

    public bool IsRedis => Name == "redis";

    /// <summary>The Redis configuration string, or <see langword="null"/> for the embedded backend.</summary>
    public string? Configuration => IsRedis ? _configuration ?? Server.Value.Configuration : null;

    public static TestBackend Of(string name) => name == "redis" ? Redis : File;

    /// <summary>Sets NODB_REDIS in a child's environment for Redis, and removes it for the embedded backend.</summary>
    public void Apply(IDictionary<string, string?> environment)
    {
        if (Configuration is { } redis)
        {
            environment[NoDbOptions.RedisEnvironmentVariable] = redis;
        }
        else
        {
            environment.Remove(NoDbOptions.RedisEnvironmentVariable);
        }
    }

    /// <summary>The environment a worker needs to use this backend.</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment =>
        Configuration is { } redis ? new Dictionary<string, string> { [NoDbOptions.RedisEnvironmentVariable] = redis } : new Dictionary<string, string>();

    public override string ToString() => Name;
}
