using System.Globalization;
using System.Text.Json;

namespace NoDb.Tool.Output;

/// <summary>How times and JSON are written, the same way by every command.</summary>
internal static class Formats
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A time for a table: UTC, to the second, with how long ago (or from now) it is.</summary>
    public static string Time(DateTimeOffset time, DateTimeOffset now)
    {
        TimeSpan delta = now - time;
        string relative = delta >= TimeSpan.Zero ? $"{Span(delta)} ago" : $"in {Span(-delta)}";
        return time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) + " (" + relative + ")";
    }

    /// <summary>A duration for people: 850 ms, 12 s, 3 min 4 s, 2 h 5 min.</summary>
    public static string Span(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{(int)span.TotalMilliseconds} ms" :
        span.TotalMinutes < 1 ? $"{(int)span.TotalSeconds} s" :
        span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" :
        $"{(int)span.TotalHours} h {span.Minutes} min";

    /// <summary>A time for scripts: ISO 8601, UTC, with milliseconds.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes one JSON value to <paramref name="output"/>, indented, and a line end.</summary>
    public static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write) => WriteJson(output, write, Indented);

    /// <summary>Writes one JSON value on one line (for event streams: one event a line).</summary>
    public static void WriteJsonLine(TextWriter output, Action<Utf8JsonWriter> write) => WriteJson(output, write, Compact);

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write, JsonWriterOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            write(writer);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }
}
