using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using NoDb;
using NoDb.TestControllers;

namespace NoDb.Benchmarks;

/// <summary>
/// A cached GetInstance against its floor: a ConcurrentDictionary lookup on the same key, with nobody listening to NoDb's
/// meter and activity source, and with a listener that enables every instrument (as OpenTelemetry's AddMeter("NoDb") does).
/// </summary>
[MemoryDiagnoser]
public class GetInstanceBenchmarks
{
    private readonly ConcurrentDictionary<string, Climate> _floor = new(StringComparer.Ordinal);
    private MeterListener? _meters;
    private ActivityListener? _activities;
    private DirectoryInfo? _root;
    private string _workingDirectory = "";

    /// <summary>Whether a listener is attached to the NoDb meter and activity source.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Listening)
        {
            _meters = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name == "NoDb") { l.EnableMeasurementEvents(i); } } };
            _meters.SetMeasurementEventCallback<long>((_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<double>((_, _, _, _) => { });
            _meters.Start();
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "NoDb",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
        }

        // The default refresh interval (100 ms) is what users get: within it, GetInstance does no I/O.
        NoDbRuntime.Configure(o => o.UseFileLocks());
        _root = Directory.CreateTempSubdirectory("nodb-bench-");
        _workingDirectory = Path.Join(_root.FullName, "run-1");
        Directory.CreateDirectory(_workingDirectory);
        Climate climate = Climate.Create(_workingDirectory, c => c.StationId = "S1");
        _floor[_workingDirectory] = climate;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.Dispose();
        _activities?.Dispose();
        _root?.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary.TryGetValue (floor)")]
    public Climate? DictionaryFloor() => _floor.TryGetValue(_workingDirectory, out Climate? climate) ? climate : null;

    [Benchmark(Description = "Climate.GetInstance (cached)")]
    public Climate GetInstance() => Climate.GetInstance(_workingDirectory);
}
