using System.Globalization;
using NoDb.Diagnostics;
using NoDb.Runtime.Tests.Instances;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Diagnostics;

/// <summary>The listeners see every NoDb measurement in the process, so these run alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class TelemetryTests(FileLocksFixture files) : BackendTest(files)
{
    private static readonly HashSet<string> AllowedTags = ["nodb.document", "nodb.backend", "nodb.outcome", "nodb.reason", "nodb.result"];

    [Fact]
    public async Task A_lock_and_a_commit_record_wait_hold_held_and_written_with_their_tags()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();

        long fence;
        await using (NoDbLockScope scope = await climate.LockAsync().Within())
        {
            fence = scope.Token.FencingNumber;
            climate.Counter = 2;
        }

        TelemetryRecorder.Measurement wait = Assert.Single(recorder.Of("nodb.lock.wait.duration"));
        Assert.Equal("s", wait.Unit);
        Assert.Equal("acquired", wait.Tag("nodb.outcome"));
        Assert.Equal("climate.nodb", wait.Tag("nodb.document"));
        Assert.Equal("file", wait.Tag("nodb.backend"));
        Assert.True(wait.Value >= 0);

        TelemetryRecorder.Measurement hold = Assert.Single(recorder.Of("nodb.lock.hold.duration"));
        Assert.Equal("climate.nodb", hold.Tag("nodb.document"));
        Assert.Equal([1.0, -1.0], recorder.Of("nodb.locks.held").Select(m => m.Value));

        TelemetryRecorder.Measurement commit = Assert.Single(recorder.Of("nodb.commit.duration"));
        Assert.Equal("written", commit.Tag("nodb.outcome"));

        // Low cardinality: no run id, no path, only the pinned tags.
        foreach (TelemetryRecorder.Measurement m in recorder.Measurements)
        {
            Assert.All(m.Tags.Keys, key => Assert.Contains(key, AllowedTags));
            Assert.All(m.Tags.Values, value => Assert.DoesNotContain(run.RunId, value?.ToString() ?? "", StringComparison.Ordinal));
        }

        System.Diagnostics.Activity lockActivity = Assert.Single(recorder.Activities, a => a.OperationName == "nodb.lock");
        Assert.Equal(fence, lockActivity.GetTagItem("nodb.fence"));
        Assert.Equal("climate.nodb", lockActivity.GetTagItem("nodb.document"));
        System.Diagnostics.Activity commitActivity = Assert.Single(recorder.Activities, a => a.OperationName == "nodb.commit");
        Assert.Equal("written", commitActivity.GetTagItem("nodb.outcome"));
    }

    [Fact]
    public async Task A_scope_that_changed_nothing_records_unchanged_and_no_commit_activity()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();

        await using (await climate.LockAsync().Within())
        {
        }

        TelemetryRecorder.Measurement commit = Assert.Single(recorder.Of("nodb.commit.duration"));
        Assert.Equal("unchanged", commit.Tag("nodb.outcome"));
        Assert.DoesNotContain(recorder.Activities, a => a.OperationName == "nodb.commit");
    }

    [Fact]
    public async Task A_timed_out_wait_records_timeout_and_a_taken_try_or_zero_timeout_records_busy()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        Climate other = Climate.LoadDetached(run.Directory);
        using var recorder = new TelemetryRecorder();

        await using (await climate.LockAsync().Within())
        {
            // Another flow: the same flow would be refused as recursion.
            await Assert.ThrowsAsync<NoDbLockTimeoutException>(() => Elsewhere.Run(async () => await other.LockAsync(TimeSpan.FromMilliseconds(50)))).Within();
            Assert.Null(await Elsewhere.Run(async () => await other.TryLockAsync()).Within());
            await Assert.ThrowsAsync<NoDbAlreadyLockedException>(() => Elsewhere.Run(async () => await other.LockAsync(TimeSpan.Zero))).Within();
        }

        string?[] outcomes = recorder.Of("nodb.lock.wait.duration").Select(m => m.Tag("nodb.outcome")).ToArray();
        Assert.Equal(new[] { "acquired", "timeout", "busy", "busy" }, outcomes);
        System.Diagnostics.Activity failed = Assert.Single(recorder.Activities, a => a.OperationName == "nodb.lock" && (string?)a.GetTagItem("nodb.outcome") == "timeout");
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, failed.Status);
    }

    [Fact]
    public async Task A_stale_write_is_refused_and_a_forced_lock_is_lost_as_forced()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();

        NoDbLockScope scope = await climate.LockAsync().Within();
        run.WriteClimateText("""{ "counter": 5 }""");
        climate.Counter = 2;
        await Assert.ThrowsAsync<NoDbStaleWriteException>(async () => await scope.DisposeAsync()).Within();

        NoDbLockScope forced = await climate.LockAsync().Within();
        await Climate.LoadDetached(run.Directory).ForceUnlockAsync().Within();
        await forced.LockLost.WhenCancelled().Within();
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await forced.DisposeAsync()).Within();

        Assert.Contains(recorder.Of("nodb.commit.duration"), m => m.Tag("nodb.outcome") == "refused");
        TelemetryRecorder.Measurement lost = Assert.Single(recorder.Of("nodb.lock.lost"));
        Assert.Equal("forced", lost.Tag("nodb.reason"));
        Assert.Equal("climate.nodb", lost.Tag("nodb.document"));
        Assert.Equal(0, recorder.Of("nodb.locks.held").Sum(m => m.Value));
    }

    [Fact]
    public void Lookups_count_hits_loads_refreshes_and_misses_and_are_collected_like_any_counter()
    {
        using var run = new TestRun();
        run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();
        using IDisposable fresh = Backend.BindNew(); // a new engine: the first lookup loads
        IReadOnlyDictionary<(string?, string?, string?), double> before = recorder.Lookups();

        Climate first = Climate.GetInstance(run.Directory);                                // loaded
        using IDisposable throttled = Backend.BindNew(o => o.RefreshInterval = TimeSpan.FromHours(1));
        Climate second = Climate.GetInstance(run.Directory);                               // loaded (new engine), checked now
        Assert.Same(second, Climate.GetInstance(run.Directory));                           // hit
        Assert.Same(second, Climate.GetInstance(run.Directory));                           // hit
        using var empty = new TestRun();
        Assert.Null(Climate.TryGetInstance(empty.Directory));                              // missing
        using IDisposable unthrottled = Backend.BindNew();
        Climate third = Climate.GetInstance(run.Directory);                                // loaded
        Assert.Same(third, Climate.GetInstance(run.Directory));                            // refreshed (no throttle: checks the disk)
        IReadOnlyDictionary<(string?, string?, string?), double> after = recorder.Lookups();

        double Delta(string result) =>
            after.GetValueOrDefault(("climate.nodb", "file", result)) - before.GetValueOrDefault(("climate.nodb", "file", result));
        Assert.NotSame(first, third);
        Assert.Equal(3, Delta("loaded"));
        Assert.Equal(2, Delta("hit"));
        Assert.Equal(1, Delta("missing"));
        Assert.Equal(1, Delta("refreshed"));
        Assert.Empty(recorder.Of("nodb.instance.lookups")); // observable: nothing is recorded per call
    }

    [Theory]
    [InlineData(1, 3_000_000)] // one thread: its hits are counted in the entry, atomically
    [InlineData(4, 1_000_000)] // threads hammering one run: counted in their own cells, or in the entry when one trusted it twice
    public async Task Every_call_of_threads_hammering_one_cached_instance_is_counted_once(int threads, int calls)
    {
        using var run = new TestRun();
        run.CreateClimate(counter: 1);

        // A process that binds no flow (this one does), so its calls take the cached path; a 10 ms refresh interval there, so
        // that where hits are counted is decided again many times while they are.
        using WorkerProcess worker = Backend.StartWorker("lookups", run.Directory, $"{threads}", $"{calls}");
        string[] line = (await worker.ReadLineAsync(TestTimeouts.Patience) ?? "").Split(' ');
        Assert.Equal(0, await worker.WaitForExitAsync(TestTimeouts.Patience));

        Assert.Equal(["lookups", "hits"], new[] { line[0], line[2] });
        long counted = long.Parse(line[1], CultureInfo.InvariantCulture);
        long hits = long.Parse(line[3], CultureInfo.InvariantCulture);
        Assert.Equal((threads * calls) + 1, counted); // the first load, then every call: none lost to the others
        Assert.InRange(hits, (threads * calls) / 2, counted - 1); // nearly all are hits; a disk check after each tick is not
    }

    [Fact]
    public async Task An_instance_cached_before_the_listener_counts_its_hits_from_the_listeners_first_collection()
    {
        const int threads = 2;
        const int calls = 500_000;
        using var run = new TestRun();
        run.CreateClimate(counter: 1);

        // A 1 h refresh interval in the worker: no tick comes to start the counting; the collection must.
        using WorkerProcess worker = Backend.StartWorker("lookups-late", run.Directory, $"{threads}", $"{calls}");
        string line = await worker.ReadLineAsync(TestTimeouts.Patience) ?? "";
        Assert.Equal(0, await worker.WaitForExitAsync(TestTimeouts.Patience));

        // The cumulative totals of the second collection less those of the first: every call made in between, all hits.
        Assert.Equal($"lookups {threads * calls} hits {threads * calls}", line);
    }

    [Fact]
    public async Task Clearing_the_run_loses_the_lease_as_cleared()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();

        NoDbLockScope scope = await climate.LockAsync().Within();
        IReadOnlyList<NoDbLockHolder> cleared = await NoDbRuntime.ClearLocksAsync(run.RunId).Within();
        await scope.LockLost.WhenCancelled().Within();
        await Assert.ThrowsAsync<NoDbLockLostException>(async () => await scope.DisposeAsync()).Within();

        Assert.Single(cleared);
        TelemetryRecorder.Measurement lost = Assert.Single(recorder.Of("nodb.lock.lost"));
        Assert.Equal("cleared", lost.Tag("nodb.reason"));
    }

    [Fact]
    public void Every_kind_of_loss_has_one_of_the_pinned_reason_tags()
    {
        string[] tags = Enum.GetValues<NoDb.Locking.LeaseLoss>().Select(l => NoDb.Locking.LeaseLossTags.Tag(l)).ToArray();

        Assert.Equal(["cleared", "expired", "fenced", "forced", "unreachable"], tags.Order());
    }

    [Fact]
    public async Task A_cancelled_wait_is_recorded_as_cancelled()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);
        using var recorder = new TelemetryRecorder();
        NoDbLockScope held = await climate.LockAsync().Within();
        using var cancel = new CancellationTokenSource();

        Task waiter = Elsewhere.Run(async () => await climate.LockAsync(cancellationToken: cancel.Token));
        await recorder.WhenActivityStarted("nodb.lock", count: 2).Within();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter).Within();
        await held.DisposeAsync();
        Assert.Single(recorder.Of("nodb.lock.wait.duration"), m => m.Tag("nodb.outcome") == "cancelled");
    }

    [Fact]
    public void The_duration_histograms_advise_buckets_in_seconds_from_50_microseconds_to_a_minute()
    {
        var histograms = new Dictionary<string, IReadOnlyList<double>?>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "NoDb" && instrument is System.Diagnostics.Metrics.Histogram<double> histogram)
                {
                    histograms[instrument.Name] = histogram.Advice?.HistogramBucketBoundaries;
                }
            },
        };
        listener.Start();

        Assert.Equal(["nodb.commit.duration", "nodb.lock.hold.duration", "nodb.lock.wait.duration"], histograms.Keys.Order());
        Assert.All(histograms.Values, b =>
        {
            Assert.NotNull(b);
            Assert.Equal(0.00005, b[0]);
            Assert.Equal(60, b[^1]);
            Assert.Equal(b.Order(), b);
        });
    }
}
