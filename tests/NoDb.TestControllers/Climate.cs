using NoDb;

namespace NoDb.TestControllers;

/// <summary>A controller as a user writes it (wepppy's climate.nodb, trimmed).</summary>
[NoDbController("climate.nodb")]
public partial class Climate
{
    private double _scale = 1.0;

    /// <summary>The climate station; stored as <c>stationId</c>, read from legacy <c>station_id</c> too.</summary>
    [NoDbName("stationId", "station_id")]
    public string? StationId { get; set; }

    /// <summary>The simulated years.</summary>
    public List<int> Years { get; set; } = [];

    /// <summary>A counter the concurrency tests increment.</summary>
    public int Counter;

    /// <summary>Not persisted: changing it needs no lock and writes nothing.</summary>
    [NoDbIgnore]
    public int Hits { get; set; }

    /// <summary>The scale set by <see cref="ApplyScale"/> (a computed property: not persisted itself).</summary>
    public double Scale => _scale;

    /// <summary>Sets the persisted scale; callers must hold the lock.</summary>
    [RequiresLock]
    public void ApplyScale(double scale) => _scale = scale;
}
