using System.Runtime.CompilerServices;

namespace NoDb.Runtime.Tests.TestSupport;

internal static class TestRuntime
{
    public static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Every test sees the disk at once (no refresh throttle) and notices a lost lock within 100 ms.</summary>
    [ModuleInitializer]
    internal static void ConfigureForTests() => Configure();

    public static void Configure(Action<NoDbOptions>? extra = null) => NoDbRuntime.Configure(o =>
    {
        o.UseFileLocks();
        o.DefaultLockTimeout = TimeSpan.FromSeconds(30);
        o.LeaseCheckInterval = LeaseCheckInterval;
        o.RefreshInterval = TimeSpan.Zero;
        extra?.Invoke(o);
    });
}
