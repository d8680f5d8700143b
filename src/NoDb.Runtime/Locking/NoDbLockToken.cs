using System.Globalization;

namespace NoDb;

/// <summary>
/// Names one acquisition of one controller's lock: which document, and the fencing number it was given.
/// Returned by <c>AcquireLockAsync</c> and passed back to <c>DumpAsync</c>, <c>UnlockAsync</c> and
/// <c>DumpAndUnlockAsync</c>; a token of another controller, or of an earlier acquisition, is refused
/// with <see cref="NoDbLockTokenMismatchException"/>.
/// </summary>
public readonly struct NoDbLockToken : IEquatable<NoDbLockToken>
{
    internal NoDbLockToken(NoDbLockScope scope) => Scope = scope;

    internal NoDbLockScope? Scope { get; }

    /// <summary>The controller's document file name, such as <c>climate.nodb</c>; <see langword="null"/> for <see langword="default"/>.</summary>
    public string? FileName => Scope?.Core.Target.FileName;

    /// <summary>The document's absolute path; <see langword="null"/> for <see langword="default"/>.</summary>
    public string? FilePath => Scope?.Core.Target.DocumentPath;

    /// <summary>The number given to this acquisition; every later acquisition of the same document gets a larger one.</summary>
    public long FencingNumber => Scope?.Lease.FencingNumber ?? 0;

    /// <summary>Whether two tokens name the same acquisition.</summary>
    public static bool operator ==(NoDbLockToken left, NoDbLockToken right) => left.Equals(right);

    /// <summary>Whether two tokens name different acquisitions.</summary>
    public static bool operator !=(NoDbLockToken left, NoDbLockToken right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(NoDbLockToken other) => ReferenceEquals(Scope, other.Scope);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NoDbLockToken other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Scope is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Scope);

    /// <summary>The document and fencing number, such as <c>/runs/abc/climate.nodb#17</c>.</summary>
    public override string ToString() =>
        Scope is null ? "(no lock)" : string.Create(CultureInfo.InvariantCulture, $"{FilePath}#{FencingNumber}");
}
