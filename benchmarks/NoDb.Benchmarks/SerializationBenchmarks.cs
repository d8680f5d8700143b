using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using NoDb.Infrastructure;
using NoDb.TestControllers;

namespace NoDb.Benchmarks;

/// <summary>The generated, reflection-free serialization of a controller against reflection-based System.Text.Json.</summary>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private static readonly JsonSerializerOptions Reflection = new() { IncludeFields = true };
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Climate _climate = null!;
    private byte[] _document = [];

    [GlobalSetup]
    public void Setup()
    {
        _climate = new Climate { StationId = "OR350", Counter = 12 };
        _climate.Years.AddRange(Enumerable.Range(1990, 30));
        _document = JsonSerializer.SerializeToUtf8Bytes(_climate, Reflection);
    }

    [Benchmark(Baseline = true, Description = "System.Text.Json (reflection) serialize")]
    public int ReflectionWrite()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        JsonSerializer.Serialize(writer, _climate, Reflection);
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
    public Climate ReflectionRead() => JsonSerializer.Deserialize<Climate>(_document, Reflection)!;

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
}
