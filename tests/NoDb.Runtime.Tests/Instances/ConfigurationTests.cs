using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Instances;

/// <summary>Reconfigures the process-wide runtime, so it runs alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class ConfigurationTests(FileLocksFixture files) : IDisposable
{
    /// <summary>Back to the file backend with the test options process-wide (nothing else here uses the process-wide runtime).</summary>
    public void Dispose() => NoDbRuntime.Configure(files.Apply);

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
    public async Task An_unreachable_redis_fails_with_an_error_naming_the_endpoint_and_writes_nothing()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);

        // Port 1 on loopback: nothing listens there. Configuring does not fail (the connection is retried in the background).
        NoDbRuntime.Configure(o =>
        {
            o.UseRedis("127.0.0.1:1,connectTimeout=200,connectRetry=0,syncTimeout=500,asyncTimeout=500");
            o.DefaultLockTimeout = TimeSpan.FromSeconds(2);
        });

        var error = await Assert.ThrowsAsync<StackExchange.Redis.RedisConnectionException>(async () => await climate.UpdateAsync(c => c.Counter = 2));

        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public void NODB_REDIS_selects_redis_and_UseFileLocks_overrides_it()
    {
        Environment.SetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable, "127.0.0.1:1");
        try
        {
            Assert.Equal("127.0.0.1:1", new NoDbOptions().RedisConfiguration);
            Assert.Null(new NoDbOptions().UseFileLocks().RedisConfiguration);
        }
        finally
        {
            Environment.SetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable, null);
        }

        Assert.Throws<ArgumentException>(() => new NoDbOptions().UseRedis(" "));
    }
}
