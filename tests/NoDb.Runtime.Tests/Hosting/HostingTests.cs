using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NoDb.Hosting;
using NoDb.Runtime.Tests.Instances;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Hosting;

/// <summary>A host puts its runtime in force process-wide while it runs, so these run alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class HostingTests(FileLocksFixture files) : IDisposable
{
    /// <summary>Back to the file backend with the test options process-wide (nothing else here uses the process-wide runtime).</summary>
    public void Dispose() => NoDbRuntime.Configure(files.Apply);

    private static HostApplicationBuilder NewBuilder(params (string Key, string Value)[] settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        return builder;
    }

    private static void TestSettings(NoDbOptions o)
    {
        o.LeaseCheckInterval = BackendFixture.LeaseCheckInterval;
        o.RefreshInterval = TimeSpan.Zero;
    }

    [Fact]
    public async Task The_runtime_takes_effect_when_the_host_starts_and_goes_when_it_stops()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        HostApplicationBuilder builder = NewBuilder(("NoDb:DefaultLockTimeout", "00:00:07"));
        builder.Services.AddNoDb(TestSettings).UseFileLocks();
        NoDbOptions before = NoDbRuntime.Options;

        using IHost host = builder.Build();
        NoDbOptions hosted = host.Services.GetRequiredService<NoDbOptions>();
        Assert.Same(before, NoDbRuntime.Options);

        await host.StartAsync().Within();
        Assert.Same(hosted, NoDbRuntime.Options);
        Assert.Equal(TimeSpan.FromSeconds(7), NoDbRuntime.Options.DefaultLockTimeout);
        await using (NoDbLockScope scope = await climate.LockAsync().Within())
        {
            Assert.True(scope.Token.FencingNumber > 0);
            climate.Counter = 2;
        }

        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
        NoDbHostedService service = host.Services.GetRequiredService<NoDbHostedService>();
        Assert.NotNull(service.Engine);

        await host.StopAsync().Within();
        Assert.Null(service.Engine);
        Assert.NotSame(hosted, NoDbRuntime.Options);
    }

    [Fact]
    public void Registering_changes_nothing_process_wide()
    {
        NoDbOptions before = NoDbRuntime.Options;
        var services = new ServiceCollection();

        services.AddNoDb(o => o.DefaultLockTimeout = TimeSpan.FromSeconds(7)).Configure(o => o.WriteIndented = false);

        using ServiceProvider provider = services.BuildServiceProvider();
        NoDbOptions options = provider.GetRequiredService<NoDbOptions>();
        Assert.Equal(TimeSpan.FromSeconds(7), options.DefaultLockTimeout);
        Assert.False(options.WriteIndented);
        Assert.Same(options, provider.GetRequiredService<IOptions<NoDbOptions>>().Value);
        Assert.Same(before, NoDbRuntime.Options);
    }

    [Fact]
    public void Calling_AddNoDb_twice_registers_one_hosted_service_and_applies_both_delegates()
    {
        var services = new ServiceCollection();

        services.AddNoDb(o => o.DefaultLockTimeout = TimeSpan.FromSeconds(3));
        services.AddNoDb(o => o.WriteIndented = false);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        using ServiceProvider provider = services.BuildServiceProvider();
        NoDbOptions options = provider.GetRequiredService<NoDbOptions>();
        Assert.Equal(TimeSpan.FromSeconds(3), options.DefaultLockTimeout);
        Assert.False(options.WriteIndented);
    }

    [Fact]
    public void The_NoDb_section_binds_and_code_configures_after_it()
    {
        HostApplicationBuilder builder = NewBuilder(
            ("NoDb:DefaultLockTimeout", "00:02:00"),
            ("NoDb:LeaseDuration", "00:00:45"),
            ("NoDb:LeaseCheckInterval", "00:00:02"),
            ("NoDb:CacheTimeToLive", "1.00:00:00"),
            ("NoDb:RefreshInterval", "00:00:00.250"),
            ("NoDb:WriteIndented", "false"),
            ("NoDb:Redis", "127.0.0.1:1"));
        builder.Services.AddNoDb(o => o.LeaseDuration = TimeSpan.FromSeconds(50));

        using IHost host = builder.Build();
        NoDbOptions options = host.Services.GetRequiredService<NoDbOptions>();

        Assert.Equal(TimeSpan.FromMinutes(2), options.DefaultLockTimeout);
        Assert.Equal(TimeSpan.FromSeconds(50), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.LeaseCheckInterval);
        Assert.Equal(TimeSpan.FromDays(1), options.CacheTimeToLive);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.RefreshInterval);
        Assert.False(options.WriteIndented);
        Assert.Equal("127.0.0.1:1", options.RedisConfiguration);
    }

    [Fact]
    public void UseFileLocks_overrides_a_configured_redis_and_Infinite_is_a_timeout()
    {
        HostApplicationBuilder builder = NewBuilder(("NoDb:Redis", "127.0.0.1:1"), ("NoDb:DefaultLockTimeout", "Infinite"));
        builder.Services.AddNoDb().UseFileLocks();

        using IHost host = builder.Build();
        NoDbOptions options = host.Services.GetRequiredService<NoDbOptions>();

        Assert.Null(options.RedisConfiguration);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.DefaultLockTimeout);
    }

    [Theory]
    [InlineData("NoDb:LeaseDuration", "00:00:00.010")]
    [InlineData("NoDb:CacheTimeToLive", "00:00:00.500")]
    [InlineData("NoDb:DefaultLockTimeout", "-00:00:05")]
    [InlineData("NoDb:RefreshInterval", "soon")]
    [InlineData("NoDb:WriteIndented", "maybe")]
    public async Task An_invalid_setting_fails_the_start_naming_it(string key, string value)
    {
        HostApplicationBuilder builder = NewBuilder((key, value));
        builder.Services.AddNoDb(TestSettings);
        NoDbOptions before = NoDbRuntime.Options;
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().Within());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Same(before, NoDbRuntime.Options);
    }

    [Fact]
    public async Task Two_hosts_in_one_process_keep_their_own_settings_and_stopping_one_leaves_the_other()
    {
        NoDbOptions configured = NoDbRuntime.Options;
        HostApplicationBuilder first = NewBuilder(("NoDb:DefaultLockTimeout", "00:00:00.300"));
        first.Services.AddNoDb(TestSettings).UseFileLocks();
        HostApplicationBuilder second = NewBuilder(("NoDb:DefaultLockTimeout", "00:00:09"));
        second.Services.AddNoDb(TestSettings).UseFileLocks();
        using IHost hostA = first.Build();
        using IHost hostB = second.Build();
        NoDbOptions optionsA = hostA.Services.GetRequiredService<NoDbOptions>();
        NoDbOptions optionsB = hostB.Services.GetRequiredService<NoDbOptions>();

        await hostA.StartAsync().Within();
        await hostB.StartAsync().Within();
        Assert.Same(optionsB, NoDbRuntime.Options); // the host started last is in force process-wide

        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope held = await Elsewhere.Run(async () => await climate.LockAsync()).Within();
        try
        {
            // A flow bound to host A waits with A's timeout, and so do the tasks it starts; the rest of the process is B's.
            using (NoDbRuntime.UseHost(hostA.Services))
            {
                Assert.Same(optionsA, NoDbRuntime.Options);
                NoDbLockTimeoutException timeout = await Assert.ThrowsAsync<NoDbLockTimeoutException>(
                    () => Task.Run(async () => await climate.LockAsync()).Within());
                Assert.Equal(TimeSpan.FromMilliseconds(300), timeout.Timeout);
            }

            Assert.Same(optionsB, NoDbRuntime.Options);
        }
        finally
        {
            await held.DisposeAsync();
        }

        // Stopping B neither disposes A's runtime nor falls back to the defaults: A is in force again, and works.
        await hostB.StopAsync().Within();
        Assert.Same(optionsA, NoDbRuntime.Options);
        await climate.UpdateAsync(c => c.Counter = 5).Within();
        Assert.Equal(5, Climate.LoadDetached(run.Directory).Counter);

        await hostA.StopAsync().Within();
        Assert.Same(configured, NoDbRuntime.Options);
    }

    [Fact]
    public async Task A_flow_bound_to_a_stopped_host_is_told_so_and_UseHost_needs_a_running_host()
    {
        HostApplicationBuilder builder = NewBuilder();
        builder.Services.AddNoDb(TestSettings).UseFileLocks();
        using IHost host = builder.Build();
        Assert.Contains("not running", Assert.Throws<InvalidOperationException>(() => NoDbRuntime.UseHost(host.Services)).Message, StringComparison.Ordinal);
        Assert.Contains("AddNoDb", Assert.Throws<InvalidOperationException>(() => NoDbRuntime.UseHost(new ServiceCollection().BuildServiceProvider())).Message, StringComparison.Ordinal);

        await host.StartAsync().Within();
        using var run = new TestRun();
        run.CreateClimate(counter: 1);
        using (NoDbRuntime.UseHost(host.Services))
        {
            await host.StopAsync().Within();
            var error = Assert.Throws<InvalidOperationException>(() => Climate.GetInstance(run.Directory));
            Assert.Contains("has stopped", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, Climate.GetInstance(run.Directory).Counter); // unbound again: the configured runtime serves
    }
}
