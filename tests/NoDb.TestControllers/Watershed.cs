using NoDb;

namespace NoDb.TestControllers;

/// <summary>A controller with an object-valued member written by System.Text.Json, as settings often are.</summary>
[NoDbController("watershed.nodb")]
public partial class Watershed
{
    /// <summary>Delineation settings; a newer build may add fields to them.</summary>
    public WatershedSettings Settings { get; set; } = new();

    /// <summary>A plain member.</summary>
    public int Revision { get; set; }
}

/// <summary>Nested settings, read and written by System.Text.Json.</summary>
public sealed class WatershedSettings
{
    /// <summary>A known field.</summary>
    public double Threshold { get; set; }

    /// <summary>A nested object with fields of its own.</summary>
    public OutletSettings Outlet { get; set; } = new();

    /// <summary>Per-channel options, by channel name.</summary>
    public Dictionary<string, OutletSettings> Channels { get; set; } = [];
}

/// <summary>A second level of nesting.</summary>
public sealed class OutletSettings
{
    /// <summary>A known field.</summary>
    public string? Name { get; set; }
}
