using Microsoft.Extensions.Options;
using NoDb;

namespace WebApp;

/// <summary>
/// The RQ side: takes queued build jobs and builds the run's climate under its lock, the same lock the web requests take.
/// Runs <see cref="WebAppOptions.Workers"/> jobs at once.
/// </summary>
public sealed partial class BuildWorker(BuildJobs queue, IOptions<WebAppOptions> options, TimeProvider clock, ILogger<BuildWorker> logger)
    : BackgroundService
{
    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.Workers)).Select(_ => ConsumeAsync(stoppingToken)));

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        // A job is taken from the queue only by a worker about to run it, so the ones still queued at stop are known.
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (queue.Reader.TryRead(out BuildJob? job))
                {
                    await RunAsync(job, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is still queued is given up, and counted as cancelled.
            int left = 0;
            while (queue.Reader.TryRead(out BuildJob? job))
            {
                job.Run.JobCancelled();
                left++;
            }

            if (left > 0)
            {
                LogJobsLeft(logger, left);
            }
        }
    }

    private async Task RunAsync(BuildJob job, CancellationToken stoppingToken)
    {
        try
        {
            Climate climate = await Climate.GetInstanceAsync(job.Run.Directory, stoppingToken);
            await using (await climate.LockAsync(cancellationToken: stoppingToken))
            {
                // The job's own work, holding the lock as an RQ build does; then the change, all at once.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4)), clock, stoppingToken);
                climate.BuildCount++;
                climate.JobsCompleted++;
                climate.LastBuiltBy = $"job-{job.Id}";
                climate.LastBuiltAt = clock.GetUtcNow();
            }

            job.Run.JobCompleted();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            job.Run.JobCancelled();
            throw;
        }
        catch (NoDbException e)
        {
            job.Run.JobFailed();
            LogJobFailed(logger, job.Id, job.Run.Name, e);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Build job {JobId} of {Run} failed")]
    private static partial void LogJobFailed(ILogger logger, long jobId, string run, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Stopping with {Count} build jobs still queued: they were not run")]
    private static partial void LogJobsLeft(ILogger logger, int count);
}
