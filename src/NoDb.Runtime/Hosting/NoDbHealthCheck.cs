using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NoDb.Engine;
using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.Locking.Redis;
using NoDb.Storage;
using StackExchange.Redis;

namespace NoDb.Hosting;

/// <summary>
/// The health check <c>nodb</c>: on the Redis backend, Redis answers a <c>PING</c> and the change-notice subscription is
/// connected; on both, a lock is taken and a document written, fenced, in the engine's probe working directory under the
/// temp folder (one per engine, reused, removed when the engine is disposed), so the run state folder is writable and the
/// locks behave. Concurrent checks (load balancers probe at once) queue at the probe document's in-process gate, as
/// every lock of the process does.
/// </summary>
internal sealed class NoDbHealthCheck(IServiceProvider services) : IHealthCheck
{
    private const string ProbeFile = "probe.nodb";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        NoDbEngine engine = (services.GetService(typeof(NoDbHostedService)) as NoDbHostedService)?.Engine ?? NoDbRuntime.Engine;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["backend"] = engine.Locks is RedisLockBackend ? "redis" : "file" };
        try
        {
            if (engine.Locks is RedisLockBackend redis)
            {
                TimeSpan latency = await redis.Redis.GetDatabase().PingAsync().ConfigureAwait(false);
                data["redis.ping.ms"] = latency.TotalMilliseconds;
                if (!redis.Redis.GetSubscriber().IsConnected(RedisChannel.Literal(RedisKeys.ChangedChannel)))
                {
                    return new HealthCheckResult(context.Registration.FailureStatus, "The Redis change-notice subscription is not connected.", data: data);
                }
            }

            await ProbeAsync(engine, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("NoDb can lock and write.", data);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"NoDb cannot lock and write: {e.Message}", e, data);
        }
    }

    /// <summary>Locks the probe document and writes it under the fence, as a commit does, then releases.</summary>
    private static async Task ProbeAsync(NoDbEngine engine, CancellationToken cancellationToken)
    {
        var target = new LockTarget(NoDbPaths.NormalizeWorkingDirectory(engine.HealthProbeDirectory()), ProbeFile);
        LocalGate gate = engine.Coordinator.GateFor(target);
        if (!await gate.EnterAsync(engine.FenceWait, engine.Time, synchronous: false, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"Another health check of this process held the probe lock for longer than {engine.FenceWait}.");
        }

        ILockLease lease;
        try
        {
            lease = await engine.Locks.AcquireAsync(target, engine.FenceWait, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            gate.Exit();
            throw;
        }

        try
        {
            using RunDirectory run = RunDirectory.Open(target.WorkingDirectory);
            byte[] document = Encoding.UTF8.GetBytes($$"""{ "checkedAt": "{{engine.Time.GetUtcNow():O}}" }""");
            await lease.CommitFencedAsync(
                run, () => AtomicFile.Replace(run, ProbeFile, document, run.StampOf(ProbeFile)), new FenceWait(engine.FenceWait, false, cancellationToken, engine.Time))
                .ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await lease.ReleaseAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Exit();
            }
        }
    }
}
