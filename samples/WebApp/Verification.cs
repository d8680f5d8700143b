using NoDb;

namespace WebApp;

/// <summary>
/// The ledger of every run and the totals, for <c>/stats</c>. The totals come first, so that a shell script reads them
/// with one <c>grep</c>.
/// </summary>
public sealed record LedgerReport(LedgerTotals Totals, IReadOnlyList<RunCounts> Runs)
{
    /// <summary>The counts now.</summary>
    public static LedgerReport Of(RunCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        List<RunCounts> runs = [.. catalog.All.Select(RunCounts.Of)];
        var totals = new LedgerTotals(
            runs.Sum(r => r.BuildsAcknowledged), runs.Sum(r => r.BuildsFailed), runs.Sum(r => r.BuildsCancelled), runs.Sum(r => r.BuildsInFlight),
            runs.Sum(r => r.JobsEnqueued), runs.Sum(r => r.JobsCompleted), runs.Sum(r => r.JobsFailed), runs.Sum(r => r.JobsCancelled),
            runs.Sum(r => r.JobsPending));
        return new LedgerReport(totals, runs);
    }
}

/// <summary>The counts of every run added up; <see cref="Idle"/> when no build is being served and no job is queued or running.</summary>
public sealed record LedgerTotals(
    long BuildsAcknowledged, long BuildsFailed, long BuildsCancelled, long BuildsInFlight, long JobsEnqueued, long JobsCompleted, long JobsFailed, long JobsCancelled, long JobsPending)
{
    /// <summary>Nothing is in flight: the state on disk is final for these counts.</summary>
    public bool Idle => BuildsInFlight == 0 && JobsPending == 0;
}

/// <summary>One run's ledger.</summary>
public sealed record RunCounts(
    string Run, int BaselineBuilds, int BaselineJobs, long BuildsAcknowledged, long BuildsFailed, long BuildsCancelled, long BuildsInFlight,
    long JobsEnqueued, long JobsCompleted, long JobsFailed, long JobsCancelled, long JobsPending)
{
    /// <summary>The counts of <paramref name="run"/> now.</summary>
    public static RunCounts Of(RunLedger run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.Name, run.BaselineBuilds, run.BaselineJobs, run.BuildsAcknowledged, run.BuildsFailed, run.BuildsCancelled, run.BuildsInFlight,
            run.JobsEnqueued, run.JobsCompleted, run.JobsFailed, run.JobsCancelled, run.JobsPending);
    }
}

/// <summary>
/// GET /verify: reads every run's climate from disk (a detached load: no cache, no instance of this process) and compares
/// it with the ledger. Nothing is lost when, for every run, the build count on disk is the baseline plus the acknowledged
/// web builds plus the completed jobs, and the jobs count is the baseline plus the completed jobs. More on disk than that
/// is wrong too: a write that was reported as failed. Only meaningful while this app is the runs' only writer and idle.
/// </summary>
public sealed record Verification(bool Ok, bool Idle, string Verdict, LedgerTotals Totals, IReadOnlyList<RunVerification> Runs)
{
    /// <summary>Checks the runs now.</summary>
    public static Verification Check(RunCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        LedgerReport ledger = LedgerReport.Of(catalog);
        List<RunVerification> runs = [.. catalog.All.Zip(ledger.Runs, RunVerification.Of)];
        bool matches = runs.All(r => r.Matches);
        string verdict = !ledger.Totals.Idle ? "not idle: builds in flight or jobs pending, so the state on disk is not final"
            : matches ? "nothing lost"
            : runs.Any(r => r.BuildsOnDisk < r.BuildsExpected || r.JobsOnDisk < r.JobsExpected) ? "LOST UPDATES"
            : "UNACKNOWLEDGED WRITES";
        return new Verification(ledger.Totals.Idle && matches, ledger.Totals.Idle, verdict, ledger.Totals, runs);
    }
}

/// <summary>One run: what is on disk, what the ledger says must be.</summary>
public sealed record RunVerification(string Run, int BuildsOnDisk, long BuildsExpected, int JobsOnDisk, long JobsExpected)
{
    /// <summary>The disk agrees with the ledger.</summary>
    public bool Matches => BuildsOnDisk == BuildsExpected && JobsOnDisk == JobsExpected;

    /// <summary>Reads <paramref name="run"/> from disk and sets it beside <paramref name="counts"/>.</summary>
    public static RunVerification Of(RunLedger run, RunCounts counts)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(counts);
        Climate onDisk = Climate.LoadDetached(run.Directory);
        return new(run.Name, onDisk.BuildCount, counts.BaselineBuilds + counts.BuildsAcknowledged + counts.JobsCompleted,
            onDisk.JobsCompleted, counts.BaselineJobs + counts.JobsCompleted);
    }
}
