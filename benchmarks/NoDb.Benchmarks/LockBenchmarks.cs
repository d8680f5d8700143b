using BenchmarkDotNet.Attributes;
using Medallion.Threading.Redis;
using NoDb.Locking;
using NoDb.Locking.Redis;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Benchmarks;

/// <summary>
/// Taking and releasing a lock nobody else wants, on one Redis: NoDb's scope (Redis lease plus the disk fence and the
/// document check it does for safety) against raw StackExchange.Redis LockTake/LockRelease and DistributedLock.Redis.
/// </summary>
[MemoryDiagnoser]
public class UncontendedLockBenchmarks
{
    private ConnectionMultiplexer _raw = null!;
    private IDatabase _database = null!;
    private RedisDistributedLock _peer = null!;
    private Climate _climate = null!;
    private DirectoryInfo _root = null!;

    [GlobalSetup]
    public void Setup()
    {
        NoDbRuntime.Configure(o => o.UseRedis(BenchmarkRedis.Configuration));
        _root = Directory.CreateTempSubdirectory("nodb-bench-lock-");
        string run = Path.Join(_root.FullName, "run-1");
        Directory.CreateDirectory(run);
        _climate = Climate.Create(run, c => c.StationId = "S1");
        _raw = BenchmarkRedis.Connect();
        _database = _raw.GetDatabase();
        _peer = new RedisDistributedLock("nodb-bench-peer", _database);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _root.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, Description = "StackExchange.Redis LockTake + LockRelease (floor)")]
    public async Task<bool> RawLockTake()
    {
        bool taken = await _database.LockTakeAsync("nodb-bench-raw", "owner", TimeSpan.FromSeconds(30));
        await _database.LockReleaseAsync("nodb-bench-raw", "owner");
        return taken;
    }

    [Benchmark(Description = "DistributedLock.Redis AcquireAsync + dispose")]
    public async Task DistributedLockAcquire()
    {
        await using (await _peer.AcquireAsync())
        {
        }
    }

    [Benchmark(Description = "NoDb LockAsync + dispose, no change (Redis)")]
    public async Task NoDbScope()
    {
        await using (await _climate.LockAsync())
        {
        }
    }
}

/// <summary>
/// Hand-over under contention: two clients on separate connections (as two processes would be) take one lock in turn.
/// Every acquisition waits for the other's release, so the time per acquisition is the hand-over: release, wake-up,
/// take. NoDb's waiter sleeps until the release is published; DistributedLock.Redis's polls with sleeps.
/// </summary>
public class HandOverBenchmarks
{
    private const int Rounds = 10;

    private ConnectionMultiplexer[] _connections = null!;
    private RedisLockBackend[] _backends = null!;
    private RedisDistributedLock[] _peers = null!;
    private LockTarget _target = null!;
    private DirectoryInfo _root = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("nodb-bench-handover-");
        string run = Path.Join(_root.FullName, "run-1");
        Directory.CreateDirectory(run);
        _target = new LockTarget(run, "climate.nodb");
        _connections = [BenchmarkRedis.Connect(), BenchmarkRedis.Connect()];
        _backends = [.. _connections.Select(c => new RedisLockBackend(c, TimeSpan.FromSeconds(30), TimeSpan.FromHours(1)))];
        _peers = [.. _connections.Select(c => new RedisDistributedLock("nodb-bench-handover", c.GetDatabase()))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (ConnectionMultiplexer connection in _connections)
        {
            connection.Dispose();
        }

        _root.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Rounds, Description = "NoDb Redis backend, 2 connections in turn")]
    public Task NoDbHandOver() => Task.WhenAll(_backends.Select(backend => Task.Run(async () =>
    {
        for (int i = 0; i < Rounds; i++)
        {
            ILockLease lease = await backend.AcquireAsync(_target, Timeout.InfiniteTimeSpan, CancellationToken.None);
            await Task.Yield();
            lease.Release();
        }
    })));

    [Benchmark(OperationsPerInvoke = 2 * Rounds, Description = "DistributedLock.Redis, 2 connections in turn")]
    public Task DistributedLockHandOver() => Task.WhenAll(_peers.Select(peer => Task.Run(async () =>
    {
        for (int i = 0; i < Rounds; i++)
        {
            await using (await peer.AcquireAsync())
            {
                await Task.Yield();
            }
        }
    })));
}
