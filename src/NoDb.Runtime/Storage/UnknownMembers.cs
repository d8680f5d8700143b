using System.Text.Json;

namespace NoDb.Storage;

/// <summary>
/// What a document holds beyond the controller's own reading of it, kept as read so that it is written back unchanged:
/// the top-level members this build does not know (byte for byte, whatever they contain), and the raw JSON of the
/// members it does know, so that a member written by System.Text.Json keeps the fields of nested objects that this build
/// does not know. An older build never deletes data written by a newer one.
/// </summary>
internal sealed class UnknownMembers
{
    public static readonly UnknownMembers None = new([], null);

    private readonly KeyValuePair<string, ReadOnlyMemory<byte>>[] _members;
    private readonly Dictionary<string, ReadOnlyMemory<byte>>? _known;

    private UnknownMembers(KeyValuePair<string, ReadOnlyMemory<byte>>[] members, Dictionary<string, ReadOnlyMemory<byte>>? known)
    {
        _members = members;
        _known = known;
    }

    public int Count => _members.Length;

    public IEnumerable<string> Names => _members.Select(m => m.Key);

    /// <summary>The JSON of a known member as the document had it, to merge nested unknown fields from.</summary>
    public bool TryGetOriginal(string jsonName, out ReadOnlyMemory<byte> json)
    {
        if (_known is not null && _known.TryGetValue(jsonName, out json))
        {
            return true;
        }

        json = default;
        return false;
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        foreach (var (name, value) in _members)
        {
            writer.WritePropertyName(name);

            // Verbatim: what this build cannot interpret (a lone surrogate escape, bytes that are not UTF-8) is not its to
            // judge, and the reader accepted it.
            writer.WriteRawValue(value.Span, skipInputValidation: true);
        }
    }

    public struct Builder
    {
        private List<KeyValuePair<string, ReadOnlyMemory<byte>>>? _members;
        private Dictionary<string, ReadOnlyMemory<byte>>? _known;

        public void Add(string name, ReadOnlyMemory<byte> value) => (_members ??= []).Add(new(name, value));

        public void Known(string name, ReadOnlyMemory<byte> value) => (_known ??= new(StringComparer.Ordinal))[name] = value;

        public readonly UnknownMembers Build() =>
            _members is null && _known is null ? None : new UnknownMembers(_members is null ? [] : [.. _members], _known);
    }
}
