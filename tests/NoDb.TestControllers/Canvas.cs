using NoDb;

namespace NoDb.TestControllers;

/// <summary>A controller whose member's declared type System.Text.Json cannot create.</summary>
[NoDbController("canvas.nodb")]
public partial class Canvas
{
    /// <summary>An interface-typed member: writable, but not readable without a converter.</summary>
    public IShape? Shape { get; set; }
}

/// <summary>A shape.</summary>
public interface IShape
{
    /// <summary>Its area.</summary>
    double Area { get; }
}

/// <summary>A circle.</summary>
public sealed class Circle : IShape
{
    /// <summary>Its radius.</summary>
    public double Radius { get; set; }

    /// <inheritdoc/>
    public double Area => Math.PI * Radius * Radius;
}
