using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NoDb.Generators.Model;

/// <summary>A source location kept as plain values, so that a model holding it stays equatable and holds no syntax tree.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is { SourceTree: not null }
            ? new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span)
            : null;
}
