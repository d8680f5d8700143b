namespace NoDb.Locking;

/// <summary>What clearing the locks of one run did: the holders it took locks from, and what it refused to touch, with why.</summary>
internal sealed class ClearOutcome
{
    public List<NoDbLockHolder> Cleared { get; } = [];

    public List<string> Refused { get; } = [];

    public void Add(ClearOutcome other)
    {
        Cleared.AddRange(other.Cleared);
        Refused.AddRange(other.Refused);
    }
}
