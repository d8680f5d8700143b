using System.Text.Json;

namespace NoDb.Tool.Runs;

/// <summary>What reading one document found: valid JSON (an object), or the position of the fault.</summary>
/// <param name="Problem"><see langword="null"/> when the document is a valid JSON object.</param>
/// <param name="Line">The 1-based line of the fault, as <see cref="NoDbCorruptFileException"/> reports it.</param>
/// <param name="BytePositionInLine">The 0-based byte of the fault within its line.</param>
internal readonly record struct DocumentProbe(string? Problem, long Line, long BytePositionInLine)
{
    public bool IsValid => Problem is null;

    /// <summary>Checks <paramref name="bytes"/> with a reader: no tree is built, so a tree of thousands of runs checks fast.</summary>
    public static DocumentProbe Of(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                return new DocumentProbe("the document is empty.", 1, 0);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return new DocumentProbe($"a document is a JSON object, and this one starts with {reader.TokenType}.", 1, 0);
            }

            reader.Skip();
            return reader.Read() ? new DocumentProbe("there is more after the document's object.", 0, 0) : default;
        }
        catch (JsonException e)
        {
            // The reader's message ends with the position again ("LineNumber: 3 | BytePositionInLine: 0."): it is reported apart.
            string message = e.Message;
            int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return new DocumentProbe(position > 0 ? message[..position] : message, (e.LineNumber ?? 0) + 1, e.BytePositionInLine ?? 0);
        }
    }

    public string Describe() => $"line {Line}, byte {BytePositionInLine}: {Problem}";
}
