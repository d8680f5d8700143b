using Microsoft.AspNetCore.Http.HttpResults;
using NoDb;

namespace WebApp;

/// <summary>
/// The web side of the profile playback: the run page reads the climate, "build climate" changes it in the request, and
/// "queue a build" hands a job to the worker. Every answer names its step in <c>X-Playback-Op</c> (<c>read</c>,
/// <c>build</c>, <c>job</c>) so that a load driver can count what was acknowledged.
/// </summary>
public static class PlaybackEndpoints
{
    /// <summary>The response header naming the step answered.</summary>
    public const string OpHeader = "X-Playback-Op";

    /// <summary>Maps the run endpoints under <c>/runs</c>, and <c>/stats</c> and <c>/verify</c>.</summary>
    public static IEndpointRouteBuilder MapPlayback(this IEndpointRouteBuilder app)
    {
        app.MapGet("/runs", (RunCatalog runs) => TypedResults.Ok(runs.All.Select(r => r.Name)));
        RouteGroupBuilder run = app.MapGroup("/runs/{run}");
        run.MapGet("/climate", ReadClimateAsync);
        run.MapPost("/climate/build", BuildClimateAsync);
        run.MapPost("/jobs/build-climate", QueueBuildAsync);
        app.MapGet("/stats", (RunCatalog runs) => TypedResults.Ok(LedgerReport.Of(runs)));
        app.MapGet("/verify", (RunCatalog runs) =>
        {
            Verification verification = Verification.Check(runs);
            return verification.Ok ? Results.Ok(verification) : Results.Conflict(verification);
        });
        return app;
    }

    /// <summary>GET /runs/{run}/climate: the climate as this process has it (a cached instance: no lock, no I/O when fresh).</summary>
    public static async Task<Results<Ok<ClimateView>, NotFound>> ReadClimateAsync(string run, RunCatalog runs, HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers[OpHeader] = "read";
        if (runs.Find(run) is not { } ledger)
        {
            return TypedResults.NotFound();
        }

        Climate climate = await Climate.GetInstanceAsync(ledger.Directory, cancellationToken);
        return TypedResults.Ok(ClimateView.Of(ledger.Name, climate));
    }

    /// <summary>POST /runs/{run}/climate/build: builds the climate in the request, under the run's lock (waits for the worker and other requests).</summary>
    public static async Task<Results<Ok<ClimateView>, NotFound, ProblemHttpResult>> BuildClimateAsync(
        string run, RunCatalog runs, TimeProvider clock, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers[OpHeader] = "build";
        if (runs.Find(run) is not { } ledger)
        {
            return TypedResults.NotFound();
        }

        BuildOutcome outcome = BuildOutcome.Failed;
        ledger.BuildStarted();
        try
        {
            Climate climate = await Climate.GetInstanceAsync(ledger.Directory, context.RequestAborted);
            ClimateView? built = null;
            await climate.UpdateAsync(c =>
            {
                c.BuildCount++;
                c.LastBuiltBy = $"web-{context.TraceIdentifier}";
                c.LastBuiltAt = clock.GetUtcNow();
                built = ClimateView.Of(ledger.Name, c);
            }, context.RequestAborted);

            // Committed: counted here, before the answer, so the ledger never trails what a client saw.
            outcome = BuildOutcome.Acknowledged;
            return TypedResults.Ok(built!);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            outcome = BuildOutcome.Cancelled;
            throw;
        }
        catch (NoDbLockTimeoutException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The run is busy");
        }
        finally
        {
            ledger.BuildEnded(outcome);
        }
    }

    /// <summary>POST /runs/{run}/jobs/build-climate: queues a build for the worker (202), waiting for room in the queue if it is full.</summary>
    public static async Task<Results<Accepted<QueuedJob>, NotFound>> QueueBuildAsync(
        string run, RunCatalog runs, BuildJobs queue, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(queue);
        context.Response.Headers[OpHeader] = "job";
        if (runs.Find(run) is not { } ledger)
        {
            return TypedResults.NotFound();
        }

        BuildJob job = await queue.EnqueueAsync(ledger, context.RequestAborted);
        return TypedResults.Accepted((string?)null, new QueuedJob(job.Id, ledger.Name, job.EnqueuedAt));
    }
}

/// <summary>A run's climate as the API shows it.</summary>
public sealed record ClimateView(string Run, string? StationId, int[] Years, int BuildCount, int JobsCompleted, string? LastBuiltBy, DateTimeOffset? LastBuiltAt)
{
    /// <summary>A copy of <paramref name="climate"/>'s members.</summary>
    public static ClimateView Of(string run, Climate climate)
    {
        ArgumentNullException.ThrowIfNull(climate);
        return new(run, climate.StationId, climate.Years, climate.BuildCount, climate.JobsCompleted, climate.LastBuiltBy, climate.LastBuiltAt);
    }
}

/// <summary>A job accepted into the queue.</summary>
public sealed record QueuedJob(long Id, string Run, DateTimeOffset EnqueuedAt);
