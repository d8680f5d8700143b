using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using NoDb.Infrastructure;
using NoDb.TestControllers;

namespace NoDb.Benchmarks;

/// <summary>
/// The generated, reflection-free serialization of a controller against reflection-based System.Text.Json on a plain class
/// with the same JSON shape (System.Text.Json cannot take the controller itself: it would serialize its generated
/// identity properties).
/// </summary>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private static readonly JsonSerializerOptions Reflection = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Climate _climate = null!;
    private ClimateDocument _plain = null!;
    private byte[] _document = [];

    [GlobalSetup]
    public void Setup()
    {
        _climate = new Climate { StationId = "OR350", Counter = 12 };
        _climate.Years.AddRange(Enumerable.Range(1990, 30));
        _plain = new ClimateDocument { StationId = "OR350", Counter = 12, Years = [.. _climate.Years] };
        _document = JsonSerializer.SerializeToUtf8Bytes(_plain, Reflection);
    }

    [Benchmark(Baseline = true, Description = "System.Text.Json (reflection) serialize")]
    public int ReflectionWrite()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        JsonSerializer.Serialize(writer, _plain, Reflection);
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "NoDb generated serialize")]
    public int GeneratedWrite()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        writer.WriteStartObject();
        ((INoDbController)_climate).NoDbWriteMembers(writer);
        writer.WriteEndObject();
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "System.Text.Json (reflection) deserialize")]
    public ClimateDocument ReflectionRead() => JsonSerializer.Deserialize<ClimateDocument>(_document, Reflection)!;

    [Benchmark(Description = "NoDb generated deserialize")]
    public Climate GeneratedRead()
    {
        var climate = new Climate();
        var reader = new Utf8JsonReader(_document);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!((INoDbController)climate).NoDbReadMember(ref reader))
            {
                reader.Read();
                reader.Skip();
            }
        }

        return climate;
    }

    /// <summary>The same JSON shape as the Climate controller's document.</summary>
    public sealed class ClimateDocument
    {
        [System.Text.Json.Serialization.JsonPropertyName("_scale")]
        public double Scale { get; set; } = 1.0;

        [System.Text.Json.Serialization.JsonPropertyName("stationId")]
        public string? StationId { get; set; }

        public List<int> Years { get; set; } = [];

        public int Counter { get; set; }
    }
}
