using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using NoDb;
using NoDb.TestControllers;

namespace NoDb.Benchmarks;

/// <summary>A cached GetInstance against its floor: a ConcurrentDictionary lookup on the same key.</summary>
[MemoryDiagnoser]
public class GetInstanceBenchmarks
{
    private readonly ConcurrentDictionary<string, Climate> _floor = new(StringComparer.Ordinal);
    private DirectoryInfo? _root;
    private string _workingDirectory = "";

    [GlobalSetup]
    public void Setup()
    {
        // The default refresh interval (100 ms) is what users get: within it, GetInstance does no I/O.
        NoDbRuntime.Configure(o => o.UseFileLocks());
        _root = Directory.CreateTempSubdirectory("nodb-bench-");
        _workingDirectory = Path.Join(_root.FullName, "run-1");
        Directory.CreateDirectory(_workingDirectory);
        Climate climate = Climate.Create(_workingDirectory, c => c.StationId = "S1");
        _floor[_workingDirectory] = climate;
    }

    [GlobalCleanup]
    public void Cleanup() => _root?.Delete(recursive: true);

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary.TryGetValue (floor)")]
    public Climate? DictionaryFloor() => _floor.TryGetValue(_workingDirectory, out Climate? climate) ? climate : null;

    [Benchmark(Description = "Climate.GetInstance (cached)")]
    public Climate GetInstance() => Climate.GetInstance(_workingDirectory);
}
