using NoDb;

namespace NoDb.TestControllers;

/// <summary>A controller as a user writes it (wepppy's climate.nodb, trimmed).</summary>
[NoDbController("climate.nodb")]
public partial class Climate
{
    private double _scale = 1.0;

    [NoDbName("stationId", "station_id")]
    public string? StationId { get; set; }

    public List<int> Years { get; set; } = [];

    public int Counter;

    [NoDbIgnore]
    public int Hits { get; set; }

    public double Scale => _scale;

    [RequiresLock]
    public void ApplyScale(double scale) => _scale = scale;
}
