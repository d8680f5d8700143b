using BenchmarkDotNet.Attributes;
using NoDb.TestControllers;

namespace NoDb.Benchmarks;

/// <summary>
/// A full commit (lock, change, atomic write, cache update, release) on each backend, against the floor of what any
/// durable write costs on this disk: write a temp file, fsync it, rename it over the document, fsync the folder, written
/// by the benchmark itself with plain .NET (not NoDb's writer).
/// </summary>
public class CommitBenchmarks
{
    private readonly byte[] _document = System.Text.Encoding.UTF8.GetBytes("{\n  \"stationId\": \"S1\",\n  \"Years\": [2000, 2020],\n  \"Counter\": 1\n}\n");
    private DirectoryInfo _root = null!;
    private string _floorPath = "";
    private Climate _climate = null!;

    [Params("embedded", "redis")]
    public string Backend { get; set; } = "embedded";

    [GlobalSetup]
    public void Setup()
    {
        NoDbRuntime.Configure(o =>
        {
            if (Backend == "redis")
            {
                o.UseRedis(BenchmarkRedis.Configuration);
            }
            else
            {
                o.UseFileLocks();
            }
        });
        _root = Directory.CreateTempSubdirectory("nodb-bench-commit-");
        string run = Path.Join(_root.FullName, "run-1");
        Directory.CreateDirectory(run);
        _climate = Climate.Create(run, c => c.StationId = "S1");
        _floorPath = Path.Join(_root.FullName, "floor.nodb");
        File.WriteAllBytes(_floorPath, _document);
    }

    [GlobalCleanup]
    public void Cleanup() => _root.Delete(recursive: true);

    [Benchmark(Baseline = true, Description = "write + fsync + rename + fsync folder, plain .NET (floor)")]
    public void Floor() => Floors.DurableReplace(_floorPath, _document);

    [Benchmark(Description = "UpdateAsync(c => c.Counter++)")]
    public ValueTask Commit() => _climate.UpdateAsync(static c => c.Counter++);
}
