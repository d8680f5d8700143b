using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace WebApp;

/// <summary>
/// Bucket boundaries for NoDb's duration histograms, which are in seconds: the SDK's default boundaries (0, 5, 10, 25 …
/// 10,000) suit milliseconds and would put every lock wait of a healthy app in the first bucket.
/// </summary>
public static class NoDbHistograms
{
    /// <summary>From 50 µs (an uncontended local lock) to 60 s (the default lock timeout).</summary>
    public static readonly double[] Boundaries =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>The view for the instruments of the <c>NoDb</c> meter that are histograms; the others keep the SDK's defaults.</summary>
    public static MetricStreamConfiguration? View(Instrument instrument) =>
        instrument?.Meter.Name == "NoDb" && instrument is Histogram<double>
            ? new ExplicitBucketHistogramConfiguration { Boundaries = Boundaries }
            : null;
}
