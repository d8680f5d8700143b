using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace WebApp;

/// <summary>A queued "build climate" job, as the web app hands it to an RQ worker.</summary>
/// <param name="Id">The job's number, unique in this process.</param>
/// <param name="Run">The run it builds.</param>
/// <param name="EnqueuedAt">When it was queued.</param>
public sealed record BuildJob(long Id, RunLedger Run, DateTimeOffset EnqueuedAt);

/// <summary>
/// The job queue between the web endpoints and <see cref="BuildWorker"/>: bounded, so that a burst of enqueues waits for
/// room (back-pressure) instead of dropping jobs or growing without limit.
/// </summary>
public sealed class BuildJobs(IOptions<WebAppOptions> options, TimeProvider clock)
{
    private readonly Channel<BuildJob> _channel = Channel.CreateBounded<BuildJob>(
        new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity)) { FullMode = BoundedChannelFullMode.Wait });

    private long _lastId;

    /// <summary>The jobs, for the worker.</summary>
    public ChannelReader<BuildJob> Reader => _channel.Reader;

    /// <summary>Queues a build of <paramref name="run"/>, waiting for room; counted as enqueued once it is in the queue.</summary>
    public async ValueTask<BuildJob> EnqueueAsync(RunLedger run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var job = new BuildJob(Interlocked.Increment(ref _lastId), run, clock.GetUtcNow());

        // Counted before it can be taken, so that "completed" never runs ahead of "enqueued".
        run.JobEnqueued();
        try
        {
            await _channel.Writer.WriteAsync(job, cancellationToken);
        }
        catch
        {
            run.JobNotEnqueued();
            throw;
        }

        return job;
    }
}
