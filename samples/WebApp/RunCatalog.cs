using System.Collections.Frozen;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NoDb;

namespace WebApp;

/// <summary>
/// The runs this app serves, <c>run-1</c> … <c>run-N</c> under <see cref="WebAppOptions.RunsRoot"/>. Their climate documents
/// are created when the host starts (NoDb's runtime is in force by then); until that is done, the health check <c>runs</c>
/// reports unhealthy, so a load balancer (or load.sh) sends nothing yet.
/// </summary>
public sealed class RunCatalog : IHostedService, IHealthCheck
{
    private readonly FrozenDictionary<string, RunLedger> _runs;
    private volatile bool _ready;

    /// <summary>Names the runs; touches nothing on disk.</summary>
    public RunCatalog(IOptions<WebAppOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Root = Path.GetFullPath(options.Value.RunsRoot);
        _runs = Enumerable.Range(1, Math.Max(1, options.Value.Runs))
            .Select(i => new RunLedger($"run-{i}", Path.Join(Root, $"run-{i}")))
            .ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>The folder the runs live in.</summary>
    public string Root { get; }

    /// <summary>Every run, by name.</summary>
    public IEnumerable<RunLedger> All => _runs.Values.OrderBy(r => r.Name.Length).ThenBy(r => r.Name, StringComparer.Ordinal);

    /// <summary>Finds a run by the name in a URL; only the runs of the catalog exist (no path is ever built from a URL).</summary>
    public RunLedger? Find(string name) => _runs.GetValueOrDefault(name);

    /// <summary>Creates each run's climate document unless it exists, and records what is on disk as the baseline.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (RunLedger run in _runs.Values)
        {
            Directory.CreateDirectory(run.Directory);
            try
            {
                await Climate.CreateAsync(run.Directory, c =>
                {
                    c.StationId = "OR350";
                    return ValueTask.CompletedTask;
                }, cancellationToken);
            }
            catch (NoDbAlreadyExistsException)
            {
                // A run kept from an earlier start: its counts so far are the baseline.
            }

            Climate onDisk = Climate.LoadDetached(run.Directory);
            run.SetBaseline(onDisk.BuildCount, onDisk.JobsCompleted);
        }

        _ready = true;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy($"{_runs.Count} runs under {Root}.")
            : new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "The runs are being created."));
}
