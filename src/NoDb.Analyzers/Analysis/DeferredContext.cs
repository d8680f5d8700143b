using System.Collections.Immutable;

namespace NoDb.Analyzers.Analysis;

/// <summary>A lambda or local function that may run later than where it was made, and the locks held where it was made.</summary>
internal sealed class DeferredContext
{
    public DeferredContext(string kind, ImmutableHashSet<LockKey> heldAtCreation)
    {
        Kind = kind;
        HeldAtCreation = heldAtCreation;
    }

    public string Kind { get; }

    public ImmutableHashSet<LockKey> HeldAtCreation { get; }
}
