using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NoDb.Storage;

/// <summary>
/// Writes a value System.Text.Json just serialized, adding back the fields that the same member's JSON had in the document
/// and that the value's type does not know, at every depth of nested objects. Guided by the type's contract: an object gets
/// back the fields its type has no property for (a field its type knows but did not write, such as a null it ignores, stays
/// out); a dictionary's values are merged by key, but a key the value no longer has is not brought back (it was removed);
/// arrays are written as they are now (an element's identity is not known by position). Fields kept are written byte for byte.
/// </summary>
internal static class UnknownFieldMerge
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    public static void Write(Utf8JsonWriter writer, byte[] fresh, ReadOnlyMemory<byte> original, JsonTypeInfo info)
    {
        using JsonDocument now = JsonDocument.Parse(fresh, ReadOptions);
        using JsonDocument before = JsonDocument.Parse(original, ReadOptions);
        Merge(writer, now.RootElement, before.RootElement, info);
    }

    private static void Merge(Utf8JsonWriter writer, JsonElement now, JsonElement before, JsonTypeInfo? info)
    {
        if (info is null || now.ValueKind != JsonValueKind.Object || before.ValueKind != JsonValueKind.Object)
        {
            WriteVerbatim(writer, now);
            return;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                MergeObject(writer, now, before, info);
                break;
            case JsonTypeInfoKind.Dictionary:
#if NET9_0_OR_GREATER
                JsonTypeInfo? values = info.ElementType is { } elementType ? info.Options.GetTypeInfo(elementType) : null;
#else
                JsonTypeInfo? values = null; // .NET 8's contract does not name a dictionary's value type: its values are written as they are
#endif
                writer.WriteStartObject();
                foreach (JsonProperty property in now.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (before.TryGetProperty(property.Name, out JsonElement old))
                    {
                        Merge(writer, property.Value, old, values);
                    }
                    else
                    {
                        WriteVerbatim(writer, property.Value);
                    }
                }

                writer.WriteEndObject();
                break;
            default:
                WriteVerbatim(writer, now);
                break;
        }
    }

    private static void MergeObject(Utf8JsonWriter writer, JsonElement now, JsonElement before, JsonTypeInfo info)
    {
        var known = new Dictionary<string, JsonPropertyInfo>(StringComparer.Ordinal);
        foreach (JsonPropertyInfo property in info.Properties)
        {
            known[property.Name] = property;
        }

        writer.WriteStartObject();
        foreach (JsonProperty property in now.EnumerateObject())
        {
            writer.WritePropertyName(property.Name);
            if (known.TryGetValue(property.Name, out JsonPropertyInfo? contract) && before.TryGetProperty(property.Name, out JsonElement old))
            {
                Merge(writer, property.Value, old, info.Options.GetTypeInfo(contract.PropertyType));
            }
            else
            {
                WriteVerbatim(writer, property.Value);
            }
        }

        foreach (JsonProperty property in before.EnumerateObject())
        {
            if (!known.ContainsKey(property.Name) && !now.TryGetProperty(property.Name, out _))
            {
                writer.WritePropertyName(property.Name);
                WriteVerbatim(writer, property.Value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteVerbatim(Utf8JsonWriter writer, JsonElement value)
    {
#if NET9_0_OR_GREATER
        writer.WriteRawValue(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
#else
        writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
#endif
    }
}
