using Microsoft.Extensions.DependencyInjection;
using NoDb.Runtime.Tests.TestSupport;

namespace NoDb.Runtime.Tests.Instances;

/// <summary>Reconfigures the process-wide runtime, so it runs alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class ConfigurationTests : IDisposable
{
    public void Dispose() => TestRuntime.Configure();

    [Fact]
    public void AddNoDb_configures_the_runtime_and_registers_the_options()
    {
        var services = new ServiceCollection();

        services.AddNoDb(o => o.DefaultLockTimeout = TimeSpan.FromSeconds(7));

        using ServiceProvider provider = services.BuildServiceProvider();
        NoDbOptions options = provider.GetRequiredService<NoDbOptions>();
        Assert.Equal(TimeSpan.FromSeconds(7), options.DefaultLockTimeout);
        Assert.Same(options, NoDbRuntime.Options);
    }

    [Fact]
    public void Invalid_options_are_rejected_and_the_previous_ones_stay()
    {
        NoDbOptions before = NoDbRuntime.Options;

        Assert.Throws<ArgumentOutOfRangeException>(() => NoDbRuntime.Configure(o => o.LeaseCheckInterval = TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoDbRuntime.Configure(o => o.DefaultLockTimeout = TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoDbRuntime.Configure(o => o.RefreshInterval = TimeSpan.FromSeconds(-1)));

        Assert.Same(before, NoDbRuntime.Options);
    }

    [Fact]
    public void A_redis_configuration_is_refused_until_the_redis_backend_exists()
    {
        NoDbOptions before = NoDbRuntime.Options;
        Environment.SetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable, "localhost:6379");
        try
        {
            var error = Assert.Throws<NotSupportedException>(() => NoDbRuntime.Configure(_ => { }));
            Assert.Contains("NODB_REDIS", error.Message, StringComparison.Ordinal);

            // UseFileLocks overrides the environment.
            NoDbRuntime.Configure(o => o.UseFileLocks());
        }
        finally
        {
            Environment.SetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable, null);
        }

        Assert.NotSame(before, NoDbRuntime.Options);
    }

    [Fact]
    public void UseRedis_is_refused_until_the_redis_backend_exists()
    {
        var error = Assert.Throws<NotSupportedException>(() => NoDbRuntime.Configure(o => o.UseRedis("localhost:6379")));

        Assert.Contains("UseRedis", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new NoDbOptions().UseRedis(" "));
    }
}
