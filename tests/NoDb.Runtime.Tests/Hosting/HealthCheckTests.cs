using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using NoDb.Runtime.Tests.Instances;
using NoDb.TestSupport;

namespace NoDb.Runtime.Tests.Hosting;

/// <summary>Each test starts a host, which puts its runtime in force process-wide, so these run alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class HealthCheckTests(FileLocksFixture files) : IDisposable
{
    /// <summary>Back to the file backend with the test options process-wide (nothing else here uses the process-wide runtime).</summary>
    public void Dispose() => NoDbRuntime.Configure(files.Apply);

    private static async Task<HealthReport> CheckAsync(Action<INoDbBuilder> configure)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder.Services.AddNoDb(o => o.DefaultLockTimeout = TimeSpan.FromSeconds(2)));
        builder.Services.AddHealthChecks().AddNoDb();
        using IHost host = builder.Build();
        await host.StartAsync().Within();
        try
        {
            return await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().Within();
        }
        finally
        {
            await host.StopAsync().Within();
        }
    }

    [Fact]
    public async Task The_file_backend_is_healthy_when_it_can_lock_and_write()
    {
        HealthReport report = await CheckAsync(b => b.UseFileLocks());

        HealthReportEntry entry = report.Entries["nodb"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("file", entry.Data["backend"]);
    }

    [Fact]
    public async Task An_unreachable_redis_is_unhealthy_and_the_description_names_the_endpoint()
    {
        HealthReport report = await CheckAsync(b => b.UseRedis("127.0.0.1:1,connectTimeout=200,connectRetry=0,syncTimeout=500,asyncTimeout=500"));

        HealthReportEntry entry = report.Entries["nodb"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("redis", entry.Data["backend"]);
        Assert.Contains("127.0.0.1:1", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_checks_are_all_healthy_and_the_probe_directory_goes_with_the_host()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddNoDb(o => o.DefaultLockTimeout = TimeSpan.FromSeconds(10)).UseFileLocks();
        builder.Services.AddHealthChecks().AddNoDb();
        using IHost host = builder.Build();
        await host.StartAsync().Within();
        HealthCheckService checks = host.Services.GetRequiredService<HealthCheckService>();

        // Load balancers probe at once: the probes queue at the probe document's gate, as every lock does.
        HealthReport[] reports = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => checks.CheckHealthAsync()))).Within();
        string probe = host.Services.GetRequiredService<NoDb.Hosting.NoDbHostedService>().Engine!.HealthProbeDirectory();
        Assert.True(Directory.Exists(probe));
        await host.StopAsync().Within();

        Assert.All(reports, r => Assert.Equal(HealthStatus.Healthy, r.Entries["nodb"].Status));
        Assert.False(Directory.Exists(probe));
    }
}
