using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using NoDb;
using NoDb.TestControllers;

// Usage: GetInstanceAb [rounds]. Each round times one chunk of floor lookups and one chunk of GetInstance calls back to
// back; the median of the per-round ratios (and its quartiles) is printed for each listener state, on one thread and
// then with two threads calling for the same run at the same time (the workers that hammer one run).
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400;
const int Chunk = 1_000_000;
const int Warmup = 20;

DirectoryInfo root = Directory.CreateTempSubdirectory("nodb-getinstance-ab-");
try
{
    // The defaults users get: the embedded backend, a 100 ms refresh interval (within it, GetInstance does no I/O).
    NoDbRuntime.Configure(o => o.UseFileLocks());
    string workingDirectory = Path.Join(root.FullName, "run-1");
    Directory.CreateDirectory(workingDirectory);
    Climate climate = Climate.Create(workingDirectory, c => c.StationId = "S1");
    var floor = new ConcurrentDictionary<string, Climate>(StringComparer.Ordinal) { [workingDirectory] = climate };

    Report("no listener", Measure(floor, workingDirectory, rounds));
    Report("2 threads", MeasureTogether(floor, workingDirectory, rounds));

    // As OpenTelemetry's AddMeter("NoDb") does: every NoDb instrument enabled.
    using var listener = new MeterListener
    {
        InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "NoDb")
            {
                l.EnableMeasurementEvents(instrument);
            }
        },
    };
    listener.SetMeasurementEventCallback<long>((_, _, _, _) => { });
    listener.SetMeasurementEventCallback<double>((_, _, _, _) => { });
    listener.Start();
    Report("listener", Measure(floor, workingDirectory, rounds));
    Report("2 threads, listener", MeasureTogether(floor, workingDirectory, rounds));
}
finally
{
    root.Delete(recursive: true);
}

static List<(double Floor, double GetInstance)> Measure(ConcurrentDictionary<string, Climate> floor, string key, int rounds)
{
    var samples = new List<(double, double)>();
    var clock = new Stopwatch();
    for (int round = 0; round < Warmup + rounds; round++)
    {
        clock.Restart();
        Floor(floor, key);
        double floorNs = clock.Elapsed.TotalNanoseconds / Chunk;
        clock.Restart();
        GetInstance(key);
        double getInstanceNs = clock.Elapsed.TotalNanoseconds / Chunk;
        if (round >= Warmup)
        {
            samples.Add((floorNs, getInstanceNs));
        }
    }

    return samples;
}

// Two threads run each chunk at the same time for the same run; a round's figures are the means of their per-call times.
static List<(double Floor, double GetInstance)> MeasureTogether(ConcurrentDictionary<string, Climate> floor, string key, int rounds)
{
    var samples = new List<(double, double)>();
    double[] floorNs = new double[2];
    double[] callNs = new double[2];
    using var barrier = new Barrier(2);
    var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
    {
        var clock = new Stopwatch();
        for (int round = 0; round < Warmup + rounds; round++)
        {
            barrier.SignalAndWait();
            clock.Restart();
            Floor(floor, key);
            floorNs[t] = clock.Elapsed.TotalNanoseconds / Chunk;
            barrier.SignalAndWait();
            clock.Restart();
            GetInstance(key);
            callNs[t] = clock.Elapsed.TotalNanoseconds / Chunk;
            barrier.SignalAndWait();
            if (t == 0 && round >= Warmup)
            {
                samples.Add(((floorNs[0] + floorNs[1]) / 2, (callNs[0] + callNs[1]) / 2));
            }
        }
    })).ToList();
    threads.ForEach(thread => thread.Start());
    threads.ForEach(thread => thread.Join());
    return samples;
}

static void Report(string label, List<(double Floor, double GetInstance)> samples)
{
    double[] ratios = [.. samples.Select(s => s.GetInstance / s.Floor).Order()];
    double[] floors = [.. samples.Select(s => s.Floor).Order()];
    double[] calls = [.. samples.Select(s => s.GetInstance).Order()];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label,-20} floor {floors[floors.Length / 2]:0.0} ns, GetInstance {calls[calls.Length / 2]:0.0} ns; " +
        $"ratio median {ratios[ratios.Length / 2]:0.000} (quartiles {ratios[ratios.Length / 4]:0.000}-{ratios[3 * ratios.Length / 4]:0.000}, {ratios.Length} rounds)"));
}

[MethodImpl(MethodImplOptions.NoInlining)]
static int Floor(ConcurrentDictionary<string, Climate> floor, string key)
{
    int sum = 0;
    for (int i = 0; i < Chunk; i++)
    {
        floor.TryGetValue(key, out Climate? found);
        sum += RuntimeHelpers.GetHashCode(found) & 1;
    }

    return sum;
}

[MethodImpl(MethodImplOptions.NoInlining)]
static int GetInstance(string key)
{
    int sum = 0;
    for (int i = 0; i < Chunk; i++)
    {
        sum += RuntimeHelpers.GetHashCode(Climate.GetInstance(key)) & 1;
    }

    return sum;
}
