using System.Buffers;
using System.Text.Json;
using NoDb.Infrastructure;

namespace NoDb.Storage;

/// <summary>
/// Turns a controller into its document and back. The controller's generated code reads and writes
/// its own members; this codec owns the envelope, keeps the members it does not know, and turns
/// every reading fault into a <see cref="NoDbCorruptFileException"/> that names the position.
/// </summary>
internal static class DocumentCodec
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    [ThreadStatic]
    private static UnknownMembers? t_writing;

    [ThreadStatic]
    private static NoDbOptions? t_options;

    /// <summary>While a document is written on this thread: what it was read with, for members that merge nested fields.</summary>
    internal static UnknownMembers? Writing => t_writing;

    /// <summary>While a document is read or written on this thread: the options of the engine it belongs to.</summary>
    internal static NoDbOptions? CurrentOptions => t_options;

    public static byte[] Serialize(INoDbController controller, UnknownMembers unknown, NoDbOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        UnknownMembers? outer = t_writing;
        NoDbOptions? outerOptions = t_options;
        t_writing = unknown;
        t_options = options;
        bool indented = options.WriteIndented;
        try
        {
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, SkipValidation = false });
            writer.WriteStartObject();
            controller.NoDbWriteMembers(writer);
            unknown.WriteTo(writer);
            writer.WriteEndObject();
        }
        finally
        {
            t_writing = outer;
            t_options = outerOptions;
        }

        if (indented)
        {
            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <paramref name="document"/> into <paramref name="target"/>, a blank controller, and returns the members it did not know.</summary>
    public static UnknownMembers Deserialize(ReadOnlyMemory<byte> document, INoDbController target, string filePath, NoDbOptions options)
    {
        NoDbOptions? outerOptions = t_options;
        t_options = options;
        try
        {
            return Deserialize(document, target, filePath);
        }
        finally
        {
            t_options = outerOptions;
        }
    }

    private static UnknownMembers Deserialize(ReadOnlyMemory<byte> document, INoDbController target, string filePath)
    {
        ReadOnlySpan<byte> utf8 = document.Span;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                throw Corrupt(utf8, 0, filePath, "the document is empty.", null);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Corrupt(utf8, reader.TokenStartIndex, filePath, $"a document must be a JSON object, not {Describe(reader.TokenType)}.", null);
            }

            var unknown = new UnknownMembers.Builder();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                Utf8JsonReader peek = reader;
                peek.Read();
                int start = (int)peek.TokenStartIndex;
                if (target.NoDbReadMember(ref reader))
                {
                    if (peek.TokenType == JsonTokenType.StartObject)
                    {
                        unknown.Known(name, document[start..(int)reader.BytesConsumed]);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                    unknown.Add(name, document[start..(int)reader.BytesConsumed]);
                }
            }

            if (reader.Read())
            {
                throw Corrupt(utf8, reader.TokenStartIndex, filePath, "there is content after the end of the document.", null);
            }

            return unknown.Build();
        }
        catch (JsonException e) when (e.LineNumber is null)
        {
            // Thrown by a controller's own reading code: the reader knows where it stopped.
            throw Corrupt(utf8, reader.TokenStartIndex, filePath, e.Message, e);
        }
        catch (JsonException e)
        {
            throw new NoDbCorruptFileException(
                filePath, (e.LineNumber ?? 0) + 1, e.BytePositionInLine ?? 0, e.Message.TrimEnd() is { Length: > 0 } m ? m : "malformed JSON.", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw Corrupt(utf8, reader.TokenStartIndex, filePath, $"a member has a value of the wrong type ({e.Message})", e);
        }
        catch (NotSupportedException e)
        {
            // System.Text.Json cannot create the member's declared type (an interface or an abstract class, say).
            throw Corrupt(utf8, reader.TokenStartIndex, filePath,
                $"a member's type cannot be created from JSON ({e.Message}) Give the member a concrete type, or a " +
                "JsonSerializerContext / converter that can create it (NoDbOptions.JsonSerializerOptions).", e);
        }
    }

    private static NoDbCorruptFileException Corrupt(ReadOnlySpan<byte> utf8, long offset, string filePath, string problem, Exception? inner)
    {
        ReadOnlySpan<byte> before = utf8[..(int)Math.Min(offset, utf8.Length)];
        int lastNewLine = before.LastIndexOf((byte)'\n');
        long line = before.Count((byte)'\n') + 1;
        long column = before.Length - (lastNewLine + 1);
        return new NoDbCorruptFileException(filePath, line, column, problem, inner);
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };
}
