using NoDb.Locking.Redis;
using NoDb.Storage;

namespace NoDb.Redis.Tests.Support;

/// <summary>The Redis keys of a run's climate.nodb, as the backend names them (the run must have been locked once).</summary>
internal static class RedisTestKeys
{
    public static RedisKeys Of(string workingDirectory, string fileName = "climate.nodb")
    {
        using RunDirectory run = RunDirectory.Open(workingDirectory);
        using RunStateFolder state = run.OpenStateFolder(create: false) ?? throw new InvalidOperationException("The run was never locked.");
        return new RedisKeys(RunIdentity.TryOf(run, state) ?? throw new InvalidOperationException("The run has no identity."), fileName);
    }
}
