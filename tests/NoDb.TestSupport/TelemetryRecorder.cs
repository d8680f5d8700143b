using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NoDb.TestSupport;

/// <summary>Listens to the <c>NoDb</c> meter and activity source and keeps every measurement and stopped activity.</summary>
public sealed class TelemetryRecorder : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly List<string> _started = [];
    private List<Measurement>? _observing;
    private readonly List<(string Name, int Count, TaskCompletionSource Seen)> _startWaiters = [];

    public TelemetryRecorder()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "NoDb")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _meters.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "NoDb",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = Started,
            ActivityStopped = Activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public ConcurrentQueue<Activity> Activities { get; } = new();

    /// <summary>Completes once <paramref name="count"/> activities named <paramref name="name"/> have started.</summary>
    public Task WhenActivityStarted(string name, int count)
    {
        lock (_started)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _startWaiters.Add((name, count, seen));
            CheckStarted();
            return seen.Task;
        }
    }

    private void Started(Activity activity)
    {
        lock (_started)
        {
            _started.Add(activity.OperationName);
            CheckStarted();
        }
    }

    private void CheckStarted()
    {
        foreach ((string name, int count, TaskCompletionSource seen) in _startWaiters)
        {
            if (_started.Count(n => n == name) >= count)
            {
                seen.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Collects the observable instruments now (as an exporter does on its schedule) and returns the cumulative lookup
    /// counts by document, backend and result.
    /// </summary>
    public IReadOnlyDictionary<(string? Document, string? Backend, string? Result), double> Lookups()
    {
        var totals = new Dictionary<(string?, string?, string?), double>();
        _observing = [];
        _meters.RecordObservableInstruments();
        foreach (Measurement m in _observing)
        {
            totals[(m.Tag("nodb.document"), m.Tag("nodb.backend"), m.Tag("nodb.result"))] = m.Value;
        }

        _observing = null;
        return totals;
    }

    public IReadOnlyList<Measurement> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToList();

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        var measurement = new Measurement(instrument.Name, instrument.Unit, value, copy);
        if (instrument.IsObservable)
        {
            _observing?.Add(measurement);
            return;
        }

        Measurements.Enqueue(measurement);
    }

    public sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        public string? Tag(string key) => Tags.TryGetValue(key, out object? value) ? value?.ToString() : null;
    }
}
