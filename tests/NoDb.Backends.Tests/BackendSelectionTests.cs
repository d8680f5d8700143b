using NoDb.Engine;
using NoDb.Locking.FileLocks;
using NoDb.Locking.Redis;
using NoDb.TestSupport;

namespace NoDb.Backends.Tests;

/// <summary>
/// How the contract chooses its backend, checked on each: <see cref="BackendTest"/> binds the backend's engine in the test
/// class's constructor, and xUnit v3 runs the test method (and what it starts) in the execution context the constructor
/// left. Were that to change, this fails first, instead of every contract test silently running on the process-wide runtime.
/// (That a worker process is on the same backend is what MultiProcessTests' try-lock of a worker's lock shows.)
/// </summary>
public abstract class BackendSelectionTests(BackendFixture backend) : BackendTest(backend), IAsyncLifetime
{
    private NoDbEngine? _engineInInitializeAsync;

    /// <summary>xUnit runs this between the constructor and the test, in the same flow: the binding reaches it too.</summary>
    public ValueTask InitializeAsync()
    {
        _engineInInitializeAsync = NoDbRuntime.Engine;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task The_test_its_tasks_and_its_other_flows_all_use_the_engine_of_the_backend()
    {
        NoDbEngine engine = NoDbRuntime.Engine;

        Assert.Same(Backend.Engine, engine);
        Assert.Same(engine, _engineInInitializeAsync);
        Assert.Same(engine, await Task.Run(() => NoDbRuntime.Engine));
        Assert.Same(engine, await Elsewhere.Run(() => Task.FromResult(NoDbRuntime.Engine)));
        Assert.Equal(Backend.RedisConfiguration, engine.Options.RedisConfiguration);
        Assert.IsType(Backend.IsRedis ? typeof(RedisLockBackend) : typeof(FileLockBackend), engine.Locks);
        Assert.Equal(BackendFixture.LeaseCheckInterval, engine.Options.LeaseCheckInterval);
        Assert.Equal(TimeSpan.Zero, engine.Options.RefreshInterval);
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : BackendSelectionTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : BackendSelectionTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : BackendSelectionTests(backend);
}
