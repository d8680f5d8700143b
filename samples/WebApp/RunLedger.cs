namespace WebApp;

/// <summary>
/// What this process did to one run, counted at the moment it happened: builds acknowledged (committed, then answered),
/// jobs enqueued, completed, failed and cancelled. The state on disk must equal the baseline plus these, or something was lost.
/// </summary>
public sealed class RunLedger(string name, string directory)
{
    private long _buildsAcknowledged;
    private long _buildsFailed;
    private long _buildsCancelled;
    private long _buildsInFlight;
    private long _jobsEnqueued;
    private long _jobsCompleted;
    private long _jobsFailed;
    private long _jobsCancelled;

    /// <summary>The run's name in URLs (<c>run-1</c>).</summary>
    public string Name { get; } = name;

    /// <summary>The run's working directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>The build count on disk when the app started.</summary>
    public int BaselineBuilds { get; private set; }

    /// <summary>The completed-jobs count on disk when the app started.</summary>
    public int BaselineJobs { get; private set; }

    /// <summary>Web builds that were committed and answered 200.</summary>
    public long BuildsAcknowledged => Interlocked.Read(ref _buildsAcknowledged);

    /// <summary>Web builds that ended with an error (a lock timeout included): nothing acknowledged.</summary>
    public long BuildsFailed => Interlocked.Read(ref _buildsFailed);

    /// <summary>Web builds whose client went away before they were committed (a load driver stopping mid-request).</summary>
    public long BuildsCancelled => Interlocked.Read(ref _buildsCancelled);

    /// <summary>Web builds being served now.</summary>
    public long BuildsInFlight => Interlocked.Read(ref _buildsInFlight);

    /// <summary>Jobs accepted into the queue (answered 202).</summary>
    public long JobsEnqueued => Interlocked.Read(ref _jobsEnqueued);

    /// <summary>Jobs the worker committed.</summary>
    public long JobsCompleted => Interlocked.Read(ref _jobsCompleted);

    /// <summary>Jobs the worker gave up on with an error.</summary>
    public long JobsFailed => Interlocked.Read(ref _jobsFailed);

    /// <summary>Jobs given up because the app was stopping.</summary>
    public long JobsCancelled => Interlocked.Read(ref _jobsCancelled);

    /// <summary>Jobs queued or running.</summary>
    public long JobsPending => JobsEnqueued - JobsCompleted - JobsFailed - JobsCancelled;

    internal void SetBaseline(int builds, int jobs)
    {
        BaselineBuilds = builds;
        BaselineJobs = jobs;
    }

    internal void BuildStarted() => Interlocked.Increment(ref _buildsInFlight);

    internal void BuildEnded(BuildOutcome outcome)
    {
        switch (outcome)
        {
            case BuildOutcome.Acknowledged:
                Interlocked.Increment(ref _buildsAcknowledged);
                break;
            case BuildOutcome.Cancelled:
                Interlocked.Increment(ref _buildsCancelled);
                break;
            default:
                Interlocked.Increment(ref _buildsFailed);
                break;
        }

        Interlocked.Decrement(ref _buildsInFlight);
    }

    internal void JobEnqueued() => Interlocked.Increment(ref _jobsEnqueued);

    internal void JobNotEnqueued() => Interlocked.Decrement(ref _jobsEnqueued);

    internal void JobCompleted() => Interlocked.Increment(ref _jobsCompleted);

    internal void JobFailed() => Interlocked.Increment(ref _jobsFailed);

    internal void JobCancelled() => Interlocked.Increment(ref _jobsCancelled);
}

/// <summary>How a web build ended.</summary>
public enum BuildOutcome
{
    /// <summary>It threw: nothing was acknowledged.</summary>
    Failed,

    /// <summary>Committed and answered.</summary>
    Acknowledged,

    /// <summary>The client went away first.</summary>
    Cancelled,
}
