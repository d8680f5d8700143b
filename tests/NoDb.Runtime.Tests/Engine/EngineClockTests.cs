using NoDb.Engine;
using NoDb.Runtime.Tests.Instances;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Engine;

/// <summary>
/// <see cref="NoDbOptions.TimeProvider"/> drives every timeout and background check of the embedded backend: a fake clock
/// moves them, with no sleep. The telemetry listener sees the whole process, so these run alone.
/// </summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class EngineClockTests(FileLocksFixture files) : BackendTest(files)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private static NoDbEngine EngineOn(ObservedClock clock) => new(new NoDbOptions
    {
        TimeProvider = clock,
        LeaseCheckInterval = CheckInterval,
        RefreshInterval = TimeSpan.Zero,
    });

    [Theory]
    [InlineData(true)]  // the holder is in this engine: the waiter times out at the in-process gate
    [InlineData(false)] // the holder is elsewhere (here, the file backend's shared engine): the waiter times out on the OS file lock
    public async Task A_lock_wait_times_out_when_the_engine_clock_says_so(bool holderInThisEngine)
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var clock = new ObservedClock();
        using NoDbEngine engine = EngineOn(clock);
        using var recorder = new TelemetryRecorder();
        NoDbLockScope held = await Elsewhere.Run(async () =>
        {
            using IDisposable? bound = holderInThisEngine ? NoDbRuntime.Bind(engine) : null;
            return await climate.LockAsync();
        }).Within();

        TimeSpan timeout = TimeSpan.FromMinutes(10);
        Task<NoDbLockScope> waiter;
        using (NoDbRuntime.Bind(engine))
        {
            waiter = climate.LockAsync(timeout).AsTask();
        }

        await clock.TimerStarted(timeout).Within();
        Assert.False(waiter.IsCompleted); // no real time makes it give up
        clock.Advance(timeout);

        NoDbLockTimeoutException error = await Assert.ThrowsAsync<NoDbLockTimeoutException>(() => waiter).Within();
        Assert.Equal(timeout, error.Timeout);
        TelemetryRecorder.Measurement wait = Assert.Single(recorder.Of("nodb.lock.wait.duration"), m => m.Tag("nodb.outcome") == "timeout");
        Assert.Equal(timeout.TotalSeconds, wait.Value, precision: 3); // measured on the engine's clock too
        await held.DisposeAsync();
    }

    [Fact]
    public async Task A_lock_taken_by_another_process_is_noticed_when_the_engine_clock_reaches_the_check()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        var clock = new ObservedClock();
        using NoDbEngine engine = EngineOn(clock);
        using var recorder = new TelemetryRecorder();
        NoDbLockScope scope;
        using (NoDbRuntime.Bind(engine))
        {
            scope = await climate.LockAsync().Within();
        }

        climate.Counter = 2;
        using (WorkerProcess other = Backend.StartWorker("force-unlock", run.Directory))
        {
            Assert.Equal("forced", await other.ReadLineAsync(TestTimeouts.Patience));
        }

        Assert.False(scope.LockLost.IsCancellationRequested); // the check has not come round: the clock stands still
        clock.Advance(CheckInterval);

        await scope.LockLost.WhenCancelled().Within();
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync()).Within();
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
        TelemetryRecorder.Measurement lost = Assert.Single(recorder.Of("nodb.lock.lost"));
        Assert.Equal("fenced", lost.Tag("nodb.reason"));
    }
}
