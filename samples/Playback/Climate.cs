using NoDb;

namespace Playback;

/// <summary>A run's climate, as wepppy keeps it in climate.nodb.</summary>
[NoDbController("climate.nodb")]
public partial class Climate
{
    /// <summary>The climate station the run uses.</summary>
    public string? StationId { get; set; }

    /// <summary>The first and last simulated years.</summary>
    public int[] Years { get; set; } = [2000, 2020];

    /// <summary>How many times the climate was built: every build request adds one, so a lost update shows here.</summary>
    public int BuildCount { get; set; }

    /// <summary>Which request built the climate last.</summary>
    public string? LastBuiltBy { get; set; }

    /// <summary>When the climate was built last.</summary>
    public DateTimeOffset? LastBuiltAt { get; set; }
}
