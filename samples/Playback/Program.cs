using System.Diagnostics;
using System.Globalization;
using NoDb;
using Playback;

// dotnet run --project samples/Playback [-- --processes 4 --requests 50 --concurrency 16]
// Replays the profile-playback workload from several processes against one run and checks that nothing was lost.
var options = PlaybackOptions.Parse(args);

if (options.WorkerOf is { } workingDirectory)
{
    // A child process: replay, then report on one line for the parent.
    WorkloadResult mine = await Workload.RunAsync(workingDirectory, $"pid-{Environment.ProcessId}", options.Requests, options.Concurrency);
    Console.WriteLine(PlaybackReport.Encode(mine));
    return mine.Failed == 0 ? 0 : 1;
}

string backend = Environment.GetEnvironmentVariable(NoDbOptions.RedisEnvironmentVariable) is { Length: > 0 } ? "Redis (NODB_REDIS)" : "embedded (OS file locks, no server)";
string runs = Directory.CreateTempSubdirectory("nodb-playback-").FullName;
string run = Path.Join(runs, "profile-run");
Directory.CreateDirectory(run);

try
{
    Climate.Create(run, c => c.StationId = "OR350");
}
catch (NotSupportedException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

Console.WriteLine($"NoDb playback: {options.Processes} processes x {options.Requests} requests, {options.Concurrency} at a time each");
Console.WriteLine($"backend:       {backend}");
Console.WriteLine($"run:           {run}");

var clock = Stopwatch.StartNew();
var children = Enumerable.Range(0, options.Processes - 1).Select(_ => PlaybackReport.StartWorker(run, options)).ToList();
Task<WorkloadResult> here = Workload.RunAsync(run, "parent", options.Requests, options.Concurrency);
var results = new List<WorkloadResult> { await here };
foreach (Process child in children)
{
    results.Add(await PlaybackReport.CollectAsync(child));
}

clock.Stop();

int requests = options.Processes * options.Requests;
int succeeded = results.Sum(r => r.Succeeded);
int failed = results.Sum(r => r.Failed);
int builds = results.Sum(r => r.Builds);
double[] waits = [.. results.SelectMany(r => r.LockWaitsMs).Order()];
Climate final = Climate.LoadDetached(run);
bool nothingLost = final.BuildCount == builds;

Console.WriteLine();
Console.WriteLine($"requests       {requests}");
Console.WriteLine($"succeeded      {succeeded}");
Console.WriteLine($"failed         {failed}");
Console.WriteLine($"lock wait      p50 {Percentile(waits, 0.50):0.0} ms   p99 {Percentile(waits, 0.99):0.0} ms   max {waits.LastOrDefault():0.0} ms");
Console.WriteLine($"total time     {clock.Elapsed.TotalSeconds:0.00} s");
Console.WriteLine($"final state    BuildCount = {final.BuildCount}, builds that succeeded = {builds}: {(nothingLost ? "nothing lost" : "LOST UPDATES")}");
foreach (string error in results.SelectMany(r => r.Errors).Distinct().Take(5))
{
    Console.WriteLine($"error          {error}");
}

Directory.Delete(runs, recursive: true);
return failed == 0 && nothingLost && succeeded == requests ? 0 : 1;

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

/// <summary>The command line.</summary>
internal sealed record PlaybackOptions(int Processes, int Requests, int Concurrency, string? WorkerOf)
{
    public static PlaybackOptions Parse(string[] args)
    {
        int processes = 4, requests = 50, concurrency = 16;
        string? workerOf = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--processes": processes = Positive(args[i + 1]); break;
                case "--requests": requests = Positive(args[i + 1]); break;
                case "--concurrency": concurrency = Positive(args[i + 1]); break;
                case "--worker-of": workerOf = args[i + 1]; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Use --processes, --requests, --concurrency.");
            }
        }

        return new PlaybackOptions(processes, requests, concurrency, workerOf);
    }

    private static int Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"'{text}' is not a positive whole number.");
}
