namespace NoDb.TestSupport;

/// <summary>The embedded backend: OS file locks on the local disk, no server. Workers run with NODB_REDIS removed.</summary>
public sealed class FileLocksFixture : BackendFixture
{
    public override string Name => "file";

    public override string? RedisConfiguration => null;
}
