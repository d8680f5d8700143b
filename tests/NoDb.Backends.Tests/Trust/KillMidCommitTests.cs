using System.Globalization;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Trust;

/// <summary>
/// A writer killed at any instant loses no acknowledged commit, never leaves a document that does not parse, and its temp
/// files are swept by the next commit. On every backend.
/// </summary>
public abstract class KillMidCommitTests(BackendFixture backend) : BackendTest(backend)
{
    private const int Kills = 12;

    [Fact]
    public async Task A_writer_killed_at_random_instants_loses_no_acknowledged_commit_and_leaves_a_readable_document()
    {
        using var run = new TestRun();
        run.CreateClimate(counter: 0);
        var random = new Random(20261201);
        int acknowledged = 0;
        int previous = 0;

        for (int kill = 0; kill < Kills; kill++)
        {
            using WorkerProcess writer = Backend.StartWorker("commit-loop", run.Directory);
            int wanted = random.Next(1, 6);
            for (int i = 0; i < wanted; i++)
            {
                string line = await writer.ReadLineAsync(TestTimeouts.Patience);
                acknowledged = int.Parse(line["committed ".Length..], CultureInfo.InvariantCulture);
            }

            // Kill somewhere inside the next commits: before, during or after a write.
            await Task.Delay(random.Next(0, 4));
            await writer.KillAsync();

            // It parses (never half a document), holds every acknowledged commit (more may have landed unread), and never
            // goes back.
            Climate onDisk = Climate.LoadDetached(run.Directory);
            Assert.True(onDisk.Counter >= acknowledged, $"kill {kill}: {onDisk.Counter} on disk, {acknowledged} acknowledged");
            Assert.True(onDisk.Counter >= previous, $"kill {kill}: went back from {previous} to {onDisk.Counter}");
            previous = onDisk.Counter;
        }

        // The next commit on the run sweeps whatever temp files the kills left, and its lock is free.
        Climate climate = Climate.GetInstance(run.Directory);
        int before = Climate.LoadDetached(run.Directory).Counter;
        await climate.UpdateAsync(c => c.Counter++).Within();
        Assert.Equal(before + 1, Climate.LoadDetached(run.Directory).Counter);
        Assert.Empty(Directory.EnumerateFiles(run.Directory, ".climate.nodb.*.tmp"));
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : KillMidCommitTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : KillMidCommitTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : KillMidCommitTests(backend);
}
