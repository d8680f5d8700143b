using System.Runtime.CompilerServices;
using NoDb.Redis.Tests.Support;

namespace NoDb.Runtime.Tests.TestSupport;

/// <summary>
/// The Redis flavour of the shared suites' runtime set-up: a redis-server for this test process, selected through
/// NODB_REDIS so that the worker processes the suites start use it too. Leases are short, so that a killed holder's
/// lease runs out within a test.
/// </summary>
internal static class TestRuntime
{
    public static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);

    private static RedisServer? s_server;

    [ModuleInitializer]
    internal static void ConfigureForTests()
    {
        s_server = RedisServer.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => s_server?.Dispose();
        Environment.SetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable, s_server.Configuration);
        Configure();
    }

    public static string RedisConfiguration => s_server!.Configuration;

    public static int RedisProcessId => s_server!.ProcessId;

    public static int RedisPort => s_server!.Port;

    /// <summary>Restarts this process's redis-server on the same port, empty.</summary>
    public static void RestartRedis() => s_server!.Restart();

    public static void Configure(Action<NoDbOptions>? extra = null) => NoDbRuntime.Configure(o =>
    {
        o.UseRedis(RedisConfiguration);
        o.DefaultLockTimeout = TimeSpan.FromSeconds(30);
        o.LeaseCheckInterval = LeaseCheckInterval;
        o.LeaseDuration = LeaseDuration;
        o.RefreshInterval = TimeSpan.Zero;
        extra?.Invoke(o);
    });
}
