using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace NoDb.Analyzers.Analysis;

/// <summary>
/// What is known at one point of a method: the locks held on every path to it (joined by intersection, as in Clang's
/// thread-safety analysis), and the scopes and tokens that may still be open (joined by union). Several storages may
/// name one acquisition (aliases: <c>var b = a;</c>, <c>is { } s</c>, compiler captures); releasing through any of
/// them releases it.
/// </summary>
internal sealed class FlowState
{
    public static readonly FlowState Empty = new(ImmutableHashSet<LockKey>.Empty, ImmutableDictionary<Storage, Acquisition>.Empty);

    public FlowState(ImmutableHashSet<LockKey> held, ImmutableDictionary<Storage, Acquisition> open)
    {
        Held = held;
        Open = open;
    }

    /// <summary>Locks held on every path to this point.</summary>
    public ImmutableHashSet<LockKey> Held { get; }

    /// <summary>Scopes and tokens taken and, on some path, not yet released, by where they are kept.</summary>
    public ImmutableDictionary<Storage, Acquisition> Open { get; }

    public static FlowState WithHeld(IEnumerable<LockKey> keys) => new(ImmutableHashSet.CreateRange(keys), Empty.Open);

    public FlowState Hold(LockKey key) => new(Held.Add(key), Open);

    public FlowState Acquire(Storage storage, Acquisition acquisition) =>
        new(acquisition.Kind == AcquisitionKind.TryScope ? Held : Held.Add(acquisition.Key), Open.SetItem(storage, acquisition));

    /// <summary><paramref name="copy"/> now names what <paramref name="original"/> names.</summary>
    public FlowState Alias(Storage original, Storage copy) =>
        !original.Equals(copy) && Open.TryGetValue(original, out Acquisition? acquisition)
            ? new FlowState(Held, Open.SetItem(copy, acquisition))
            : this;

    public FlowState Release(Storage storage)
    {
        if (!Open.TryGetValue(storage, out Acquisition? acquisition))
        {
            return this;
        }

        // The key stays held if another open scope or token still holds it (an outer scope around an inner one).
        ImmutableDictionary<Storage, Acquisition> open = Without(acquisition);
        bool stillHeld = open.Values.Any(other => other.Key.Equals(acquisition.Key) && other.Kind != AcquisitionKind.TryScope);
        return new FlowState(stillHeld ? Held : Held.Remove(acquisition.Key), open);
    }

    /// <summary>Where a scope is known to be null, there is nothing to release and nothing is held through it.</summary>
    public FlowState Forget(Storage storage) =>
        Open.TryGetValue(storage, out Acquisition? acquisition) ? new FlowState(Held, Without(acquisition)) : this;

    public FlowState ReleaseAll(LockKey key) =>
        new(Held.Remove(key), Open.RemoveRange(Open.Where(pair => pair.Value.Key.Equals(key)).Select(pair => pair.Key)));

    public static FlowState Join(FlowState left, FlowState right) =>
        new(left.Held.Intersect(right.Held), left.Open.SetItems(right.Open));

    public bool SameAs(FlowState other) =>
        Held.SetEquals(other.Held) && Open.Count == other.Open.Count && Open.Keys.All(other.Open.ContainsKey);

    private ImmutableDictionary<Storage, Acquisition> Without(Acquisition acquisition) =>
        Open.RemoveRange(Open.Where(pair => pair.Value.Equals(acquisition)).Select(pair => pair.Key));
}
