using System;
using Microsoft.CodeAnalysis;

namespace NoDb.Analyzers.Analysis;

/// <summary>
/// The identity of a controller instance in code: a local, a parameter, a field or property of the current object, or
/// <see langword="this"/>. Two accesses through the same key are the same controller; anything else is unknown.
/// </summary>
internal readonly struct LockKey : IEquatable<LockKey>
{
    private LockKey(ISymbol? symbol) => Symbol = symbol;

    /// <summary>The symbol, or <see langword="null"/> for <see langword="this"/>.</summary>
    public ISymbol? Symbol { get; }

    public static LockKey This => new(null);

    public static LockKey Of(ISymbol symbol) => new(symbol);

    public string DisplayName => Symbol?.Name ?? "this";

    public bool Equals(LockKey other) => SymbolEqualityComparer.Default.Equals(Symbol, other.Symbol);

    public override bool Equals(object? obj) => obj is LockKey other && Equals(other);

    public override int GetHashCode() => Symbol is null ? 0 : SymbolEqualityComparer.Default.GetHashCode(Symbol);
}
