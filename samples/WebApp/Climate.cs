using NoDb;

namespace WebApp;

/// <summary>A run's climate, as wepppy keeps it in climate.nodb: web requests and build jobs change it under its lock.</summary>
[NoDbController("climate.nodb")]
public partial class Climate
{
    /// <summary>The climate station the run uses.</summary>
    public string? StationId { get; set; }

    /// <summary>The first and last simulated years.</summary>
    public int[] Years { get; set; } = [2000, 2020];

    /// <summary>
    /// How many times the climate was built, by a web request or by a job: every acknowledged build and every completed
    /// job adds one, so a lost update shows here.
    /// </summary>
    public int BuildCount { get; set; }

    /// <summary>How many of those builds were jobs the worker completed.</summary>
    public int JobsCompleted { get; set; }

    /// <summary>Which request or job built the climate last.</summary>
    public string? LastBuiltBy { get; set; }

    /// <summary>When the climate was built last.</summary>
    public DateTimeOffset? LastBuiltAt { get; set; }
}
