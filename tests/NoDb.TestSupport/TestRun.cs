using System.Text;
using NoDb.TestControllers;

namespace NoDb.TestSupport;

/// <summary>A fresh working directory under the temp folder, deleted afterwards.</summary>
public sealed class TestRun : IDisposable
{
    private readonly DirectoryInfo _root;

    public TestRun()
    {
        _root = System.IO.Directory.CreateTempSubdirectory("nodb-tests-");
        RunId = "run-" + Guid.NewGuid().ToString("N")[..10];
        Directory = Path.Join(_root.FullName, RunId);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string RunId { get; }

    public string Directory { get; }

    public string ClimatePath => Path.Join(Directory, "climate.nodb");

    /// <summary>Creates climate.nodb with the given state through the public API.</summary>
    public Climate CreateClimate(string? stationId = "S1", int counter = 0) =>
        Climate.Create(Directory, c =>
        {
            c.StationId = stationId;
            c.Counter = counter;
        });

    public string ReadClimateText() => File.ReadAllText(ClimatePath, Encoding.UTF8);

    /// <summary>Writes climate.nodb directly, as another program or a person would.</summary>
    public void WriteClimateText(string json) => File.WriteAllText(ClimatePath, json, new UTF8Encoding(false));

    public void MarkReadOnly() => File.WriteAllText(Path.Join(Directory, "READONLY"), "");

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be exiting; the temp folder is cleaned by the OS eventually.
        }
    }
}
