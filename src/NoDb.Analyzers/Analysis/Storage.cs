using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace NoDb.Analyzers.Analysis;

/// <summary>Where a lock scope or token is kept: a local variable, or a compiler capture (<c>using (c.Lock())</c>).</summary>
internal readonly struct Storage : IEquatable<Storage>
{
    private Storage(ILocalSymbol? local, CaptureId? capture)
    {
        Local = local;
        Capture = capture;
    }

    public ILocalSymbol? Local { get; }

    public CaptureId? Capture { get; }

    public static Storage Of(ILocalSymbol local) => new(local, null);

    public static Storage Of(CaptureId capture) => new(null, capture);

    public bool Equals(Storage other) =>
        SymbolEqualityComparer.Default.Equals(Local, other.Local) && Nullable.Equals(Capture, other.Capture);

    public override bool Equals(object? obj) => obj is Storage other && Equals(other);

    public override int GetHashCode() =>
        Local is not null ? SymbolEqualityComparer.Default.GetHashCode(Local) : Capture?.GetHashCode() ?? 0;
}
