using NoDb.Locking.Redis;
using NoDb.Storage;

namespace NoDb.Redis.Tests.Support;

/// <summary>The Redis keys of a run's document, as the backend names them (giving the run its identity if it has none yet).</summary>
internal static class RedisTestKeys
{
    public static RedisKeys Of(string workingDirectory, string fileName = "climate.nodb")
    {
        using RunDirectory run = RunDirectory.Open(workingDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: true)!;
        return new RedisKeys(RunIdentity.OfOrCreate(run, state), fileName);
    }
}
