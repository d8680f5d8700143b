using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NoDb.Infrastructure;

/// <summary>
/// Reading and writing helpers that generated controllers call for the member types whose JSON form needs more than
/// one reader call, and the System.Text.Json fallback for every other type.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NoDbJson
{
    /// <summary>Reads a number, or one of the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    public static double ReadDouble(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? ParseNamedFloat(reader.GetString()!) : reader.GetDouble();

    /// <summary>Reads a number, or one of the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    public static float ReadSingle(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? (float)ParseNamedFloat(reader.GetString()!) : reader.GetSingle();

    /// <summary>Writes a number; NaN and the infinities, which JSON numbers cannot hold, as strings.</summary>
    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <summary>Writes a number; NaN and the infinities as strings.</summary>
    public static void WriteSingle(Utf8JsonWriter writer, float value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteDouble(writer, value);
        }
    }

    /// <summary>Reads a <see cref="TimeSpan"/> written in the constant ("c") format, such as <c>1.02:03:04.5</c>.</summary>
    public static TimeSpan ReadTimeSpan(ref Utf8JsonReader reader) =>
        TimeSpan.ParseExact(reader.GetString() ?? throw new FormatException("A TimeSpan cannot be null."), "c", CultureInfo.InvariantCulture);

    /// <summary>Writes a <see cref="TimeSpan"/> in the constant ("c") format.</summary>
    public static void WriteTimeSpan(Utf8JsonWriter writer, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
    }

    /// <summary>Reads an enum written by name (any case) or by number.</summary>
    public static TEnum ReadEnum<TEnum>(ref Utf8JsonReader reader)
        where TEnum : struct, Enum
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            // Exact names first: an enum may have names that differ only by case.
            string text = reader.GetString()!;
            return Enum.TryParse(text, ignoreCase: false, out TEnum value) || Enum.TryParse(text, ignoreCase: true, out value)
                ? value
                : throw new FormatException($"'{text}' is not a value of {typeof(TEnum).Name}.");
        }

        long number = reader.GetInt64();
        return Enum.TryParse(number.ToString(CultureInfo.InvariantCulture), out TEnum numeric)
            ? numeric
            : throw new FormatException($"{number} is not a value of {typeof(TEnum).Name}.");
    }

    /// <summary>Writes an enum by name (by number when it has no name).</summary>
    public static void WriteEnum<TEnum>(Utf8JsonWriter writer, TEnum value)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }

    /// <summary>Reads a value of a type NoDb has no built-in form for, with <see cref="NoDbOptions.JsonSerializerOptions"/>.</summary>
    public static T? Deserialize<T>(ref Utf8JsonReader reader) => JsonSerializer.Deserialize(ref reader, TypeInfo<T>());

    /// <summary>Writes a value of a type NoDb has no built-in form for, with <see cref="NoDbOptions.JsonSerializerOptions"/>.</summary>
    public static void Serialize<T>(Utf8JsonWriter writer, T value) => JsonSerializer.Serialize(writer, value, TypeInfo<T>());

    /// <summary>
    /// Writes the value of the persisted member <paramref name="member"/> (its JSON name) with
    /// <see cref="NoDbOptions.JsonSerializerOptions"/>, keeping the fields of nested objects that the document had and this
    /// build's types do not know, at every depth.
    /// </summary>
    public static void Serialize<T>(Utf8JsonWriter writer, T value, string member)
    {
        JsonTypeInfo<T> info = TypeInfo<T>();
        if (Storage.DocumentCodec.Writing is { } read && read.TryGetOriginal(member, out ReadOnlyMemory<byte> original) && value is not null)
        {
            Storage.UnknownFieldMerge.Write(writer, JsonSerializer.SerializeToUtf8Bytes(value, info), original, info);
            return;
        }

        JsonSerializer.Serialize(writer, value, info);
    }

    private static JsonTypeInfo<T> TypeInfo<T>()
    {
        // The options of the engine whose document is being read or written (the current engine's outside of one).
        JsonSerializerOptions options = (Storage.DocumentCodec.CurrentOptions ?? NoDbRuntime.Options).JsonSerializerOptions;
        if (options.TypeInfoResolver is null && JsonSerializer.IsReflectionEnabledByDefault)
        {
            options = WithReflection(options);
        }

        try
        {
            return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            throw new NotSupportedException(
                $"NoDb cannot read or write a persisted member of type {typeof(T)}: {e.Message} Add the type to a " +
                "JsonSerializerContext and put it in NoDbOptions.JsonSerializerOptions.TypeInfoResolverChain, or mark the " +
                "member [NoDbIgnore].", e);
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> ReflectionCopies = new();

    /// <summary>The user's options with the reflection-based resolver, for apps that allow reflection and set no resolver.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "Reached only when JsonSerializer.IsReflectionEnabledByDefault, a feature switch that trimmed and AOT apps turn off; they configure a JsonSerializerContext instead.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050",
        Justification = "As above.")]
    private static JsonSerializerOptions WithReflection(JsonSerializerOptions options) =>
        ReflectionCopies.GetValue(options, static o => new JsonSerializerOptions(o) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });

    private static double ParseNamedFloat(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => throw new FormatException($"'{text}' is not a number."),
    };
}
