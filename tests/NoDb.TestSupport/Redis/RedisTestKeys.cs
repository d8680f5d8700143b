using NoDb.Locking.Redis;
using NoDb.Storage;

namespace NoDb.TestSupport;

/// <summary>The Redis keys of a run's document, as the backend names them (giving the run its identity if it has none yet).</summary>
internal static class RedisTestKeys
{
    public static RedisKeys Of(string workingDirectory, string fileName = "climate.nodb")
    {
        using RunDirectory run = RunDirectory.Open(workingDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: true)!;
        return new RedisKeys(RunIdentity.OfOrCreate(run, state), fileName);
    }

    /// <summary>The fencing number the document's fence file on disk holds now.</summary>
    public static long FenceOnDisk(string workingDirectory, string fileName = "climate.nodb")
    {
        using RunDirectory run = RunDirectory.Open(workingDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: false) ?? throw new InvalidOperationException("The run was never locked.");
        return NoDb.Locking.FileLocks.FenceFile.Peek(state, fileName);
    }
}
