using BenchmarkDotNet.Attributes;
using NoDb.TestControllers;

namespace NoDb.Benchmarks;

/// <summary>
/// Taking and releasing a lock nobody else wants on the embedded backend: NoDb's scope (flock, fence, holder record, the
/// document check) against the floor of any cross-process file lock (open, flock, unlock, close of one file).
/// </summary>
[MemoryDiagnoser]
public class EmbeddedUncontendedLockBenchmarks
{
    private Climate _climate = null!;
    private DirectoryInfo _root = null!;
    private string _floorLock = "";

    [GlobalSetup]
    public void Setup()
    {
        NoDbRuntime.Configure(o => o.UseFileLocks());
        _root = Directory.CreateTempSubdirectory("nodb-bench-flock-");
        string run = Path.Join(_root.FullName, "run-1");
        Directory.CreateDirectory(run);
        _climate = Climate.Create(run, c => c.StationId = "S1");
        _floorLock = Path.Join(_root.FullName, "floor.lock");
    }

    [GlobalCleanup]
    public void Cleanup() => _root.Delete(recursive: true);

    [Benchmark(Baseline = true, Description = "open + flock + unlock + close (floor)")]
    public void Floor() => Floors.FlockOnce(_floorLock);

    [Benchmark(Description = "NoDb LockAsync + dispose, no change (embedded)")]
    public async Task NoDbScope()
    {
        await using (await _climate.LockAsync())
        {
        }
    }
}
