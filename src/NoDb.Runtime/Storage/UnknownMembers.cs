using System.Text.Json;

namespace NoDb.Storage;

/// <summary>
/// The members of a document that this build does not know, kept as read so that they are written
/// back unchanged: an older build never deletes data written by a newer one.
/// </summary>
internal sealed class UnknownMembers
{
    public static readonly UnknownMembers None = new([]);

    private readonly KeyValuePair<string, JsonElement>[] _members;

    private UnknownMembers(KeyValuePair<string, JsonElement>[] members) => _members = members;

    public int Count => _members.Length;

    public IEnumerable<string> Names => _members.Select(m => m.Key);

    public void WriteTo(Utf8JsonWriter writer)
    {
        foreach (var (name, value) in _members)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
    }

    public struct Builder
    {
        private List<KeyValuePair<string, JsonElement>>? _members;

        public void Add(string name, JsonElement value) => (_members ??= []).Add(new(name, value));

        public readonly UnknownMembers Build() => _members is null ? None : new UnknownMembers([.. _members]);
    }
}
