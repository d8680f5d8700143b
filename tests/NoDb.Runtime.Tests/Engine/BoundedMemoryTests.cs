using System.Runtime.CompilerServices;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Engine;

[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection;

/// <summary>Bounded memory: an instance no caller references may be dropped, and so may every structure kept for it.</summary>
[Collection(nameof(MemoryMeasurementCollection))]
public sealed class BoundedMemoryTests(FileLocksFixture files) : BackendTest(files)
{
    private const int Runs = 10_000;

    [Fact]
    public async Task Touching_ten_thousand_runs_then_dropping_them_retains_under_300_bytes_a_run()
    {
        string root = Directory.CreateTempSubdirectory("nodb-memory-").FullName;
        try
        {
            string[] directories = new string[Runs];
            for (int i = 0; i < Runs; i++)
            {
                directories[i] = Path.Join(root, $"run-{i:D5}");
                Directory.CreateDirectory(directories[i]);
                File.WriteAllText(Path.Join(directories[i], "climate.nodb"), $$"""{ "stationId": "S{{i}}", "Counter": {{i}} }""");
            }

            await TouchAsync(directories[..10]); // warm every code path once
            long before = Collected();
            await TouchAsync(directories);
            long after = Collected();

            double perRun = (after - before) / (double)Runs;
            Assert.True(perRun < 300, $"{perRun:0} bytes retained per run after the instances were dropped (before {before}, after {after}).");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void While_a_caller_holds_an_instance_GetInstance_returns_that_same_object_across_collections()
    {
        using var run = new TestRun();
        Climate held = run.CreateClimate(counter: 1);
        for (int i = 0; i < 3; i++)
        {
            Collected();
            Assert.Same(held, Climate.GetInstance(run.Directory));
        }
    }

    // Not inlined, so that no instance stays reachable from this frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task TouchAsync(string[] directories)
    {
        foreach (string directory in directories)
        {
            Climate climate = Climate.GetInstance(directory);
            await using (await climate.LockAsync())
            {
                _ = climate.Counter;
            }
        }
    }

    private static long Collected()
    {
        // Twice: the first full collection runs the sweeps (they wait for it), the second frees what they let go.
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
