using System;
using Microsoft.CodeAnalysis;

namespace NoDb.Analyzers.Analysis;

/// <summary>How a lock was taken.</summary>
internal enum AcquisitionKind
{
    /// <summary><c>Lock()</c> or <c>LockAsync()</c>: a scope, held from here.</summary>
    Scope,

    /// <summary><c>TryLockAsync()</c>: a scope that is held only where it was checked non-null.</summary>
    TryScope,

    /// <summary><c>AcquireLockAsync()</c>: a token, held until it is unlocked.</summary>
    Token,
}

/// <summary>
/// One call that took a controller's lock. Two acquisitions are the same when they are the same call of the same
/// controller: the flow analysis runs a block more than once, and every copy of a scope (a local assigned from
/// another, a pattern variable, a compiler capture) refers to one acquisition.
/// </summary>
internal sealed class Acquisition : IEquatable<Acquisition>
{
    public Acquisition(LockKey key, AcquisitionKind kind, Location location, bool isAsync)
    {
        Key = key;
        Kind = kind;
        Location = location;
        IsAsync = isAsync;
    }

    public LockKey Key { get; }

    public AcquisitionKind Kind { get; }

    public Location Location { get; }

    public bool IsAsync { get; }

    public bool Equals(Acquisition? other) =>
        other is not null && Key.Equals(other.Key) && Location.SourceSpan == other.Location.SourceSpan && Location.SourceTree == other.Location.SourceTree;

    public override bool Equals(object? obj) => obj is Acquisition other && Equals(other);

    public override int GetHashCode() => Location.SourceSpan.GetHashCode();
}
