using Microsoft.Extensions.Logging;
using NoDb.Engine;
using NoDb.Locking.Redis;
using NoDb.TestSupport;
using NoDb.TestControllers;
using StackExchange.Redis;

namespace NoDb.Redis.Tests;

/// <summary>
/// <see cref="NoDbOptions.TimeProvider"/> drives a Redis lease's renewals and its local deadline: a fake clock expires a
/// lease with no sleep. Each test has its own redis-server, since it pauses or edits it; the telemetry listener sees the
/// whole process, so these run alone.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisLeaseClockTests : BackendTest
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);

    private readonly RedisServer _server = RedisServer.Start();
    private readonly ConnectionMultiplexer _admin;
    private readonly ObservedClock _clock = new();
    private readonly CapturingLoggerProvider _log = new();
    private readonly ILoggerFactory _loggers;
    private readonly NoDbEngine _engine;

    /// <summary>Outside the scope on the fake clock (creating and reading the run), the shared Redis fixture serves.</summary>
    public RedisLeaseClockTests(RedisFixture redis)
        : base(redis)
    {
        _admin = ConnectionMultiplexer.Connect($"{_server.Configuration},allowAdmin=true");
        _loggers = LoggerFactory.Create(b => b.AddProvider(_log));
        var options = new NoDbOptions
        {
            LoggerFactory = _loggers,
            LeaseDuration = Lease,
            LeaseCheckInterval = RenewEvery,
            RefreshInterval = TimeSpan.Zero,
            TimeProvider = _clock,
        };
        options.UseRedis($"{_server.Configuration},asyncTimeout=1000"); // a command Redis does not answer fails in a second
        _engine = new NoDbEngine(options);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _engine.Dispose();
            _loggers.Dispose();
            _admin.Dispose();
            _server.Dispose();
        }
    }

    private async Task<NoDbLockScope> LockOnTheFakeClockAsync(Climate climate)
    {
        using (NoDbRuntime.Bind(_engine))
        {
            NoDbLockScope scope = await climate.LockAsync().Within();
            await _clock.TimerStarted(RenewEvery).Within();
            return scope;
        }
    }

    [Fact]
    public async Task A_lease_whose_renewals_Redis_does_not_answer_is_lost_at_its_deadline_on_the_engine_clock()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();
        NoDbLockScope scope = await LockOnTheFakeClockAsync(climate);
        climate.Counter = 2;

        // Redis stops answering scripts (renewals and commits); reads and admin commands still pass.
        await using (await PauseScriptsAsync())
        {
            _clock.Advance(RedisLease.TrustFor(Lease) - TimeSpan.FromMilliseconds(1));
            Assert.False(scope.LockLost.IsCancellationRequested); // two renewals were sent, unanswered; the deadline is not yet due

            _clock.Advance(TimeSpan.FromMilliseconds(1));
            await scope.LockLost.WhenCancelled().Within();
            Assert.Contains("no renewal was confirmed", LostReason(scope), StringComparison.Ordinal);

            // Nothing is written, and the dispose does not wait for a Redis that does not answer.
            await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync()).Within();
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        TelemetryRecorder.Measurement lost = Assert.Single(recorder.Of("nodb.lock.lost"));
        Assert.Equal("unreachable", lost.Tag("nodb.reason"));
        Assert.Equal("redis", lost.Tag("nodb.backend"));
    }

    [Fact]
    public async Task A_lease_Redis_no_longer_has_is_lost_as_expired_at_the_renewal_the_engine_clock_brings()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();
        NoDbLockScope scope = await LockOnTheFakeClockAsync(climate);
        climate.Counter = 2;

        // The lease ran out in Redis (as after a freeze longer than the lease); no real time has passed here.
        Assert.True(await _admin.GetDatabase().KeyDeleteAsync(RedisTestKeys.Of(run.Directory).Lock).Within());
        Assert.False(scope.LockLost.IsCancellationRequested);

        _clock.Advance(RenewEvery);
        await scope.LockLost.WhenCancelled().Within();

        Assert.Contains("expired", LostReason(scope), StringComparison.Ordinal);
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync()).Within();
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        TelemetryRecorder.Measurement lost = Assert.Single(recorder.Of("nodb.lock.lost"));
        Assert.Equal("expired", lost.Tag("nodb.reason"));
    }

    [Fact]
    public async Task A_commit_Redis_does_not_answer_waits_for_it_within_the_lease_and_is_written_once_it_answers()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await LockOnTheFakeClockAsync(climate);
        climate.Counter = 2;

        Task commit;
        await using (await PauseScriptsAsync())
        {
            // As in a failover: the confirmation before the write times out, and the commit tries again instead of failing.
            commit = scope.DisposeAsync().AsTask();
            await _log.WhenLogged(e => e.Id.Id == 14).Within();
            CapturingLoggerProvider.Entry retried = _log.Entries.First(e => e.Id.Id == 14);
            Assert.Equal(("CommitUnconfirmed", LogLevel.Warning), (retried.Id.Name, retried.Level));
            Assert.False(commit.IsCompleted);
            Assert.False(scope.LockLost.IsCancellationRequested);
            Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter); // nothing written before Redis confirms
        }

        await commit.Within();
        Assert.False(scope.LockLost.IsCancellationRequested);
        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_commit_Redis_does_not_answer_before_the_lease_deadline_is_refused_as_lost_and_LockLost_fires()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();
        NoDbLockScope scope = await LockOnTheFakeClockAsync(climate);
        climate.Counter = 2;

        await using (await PauseScriptsAsync())
        {
            Task commit = scope.DisposeAsync().AsTask();
            await _log.WhenLogged(e => e.Id.Id == 14).Within();

            _clock.Advance(RedisLease.TrustFor(Lease));
            NoDbLockLostException lost = await Assert.ThrowsAsync<NoDbLockLostException>(() => commit).Within();
            Assert.True(scope.LockLost.IsCancellationRequested); // told the same way as a loss while held
            Assert.Contains("Acquire the lock again", lost.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        Assert.Equal("unreachable", Assert.Single(recorder.Of("nodb.lock.lost")).Tag("nodb.reason"));
    }

    [Fact]
    public async Task A_commit_Redis_refuses_for_good_is_refused_as_lost_at_once_without_waiting_for_the_deadline()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        NoDbLockScope scope = await LockOnTheFakeClockAsync(climate);
        climate.Counter = 2;

        // Scripts are no longer permitted: asking again would not help, so the commit does not wait (the fake clock never
        // reaches the deadline here).
        await _admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "-eval", "-evalsha").Within();
        NoDbLockLostException lost = await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync()).Within();

        Assert.Contains("NOPERM", lost.Message, StringComparison.Ordinal);
        Assert.True(scope.LockLost.IsCancellationRequested);
        Assert.DoesNotContain(_log.Entries, e => e.Id.Id == 14);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    /// <summary>Redis stops answering scripts (renewals and commits) until the result is disposed; reads and admin commands still pass.</summary>
    private async Task<IAsyncDisposable> PauseScriptsAsync()
    {
        await _admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE").Within();
        return new Unpause(_admin);
    }

    private sealed class Unpause(ConnectionMultiplexer admin) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE").Within();
    }

    private static string? LostReason(NoDbLockScope scope) => scope.Lease.LostReason;
}
