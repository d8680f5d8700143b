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

/// <summary>One call that took a controller's lock.</summary>
internal sealed class Acquisition
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
}
