using System.Text;

namespace NoDb.Tool.Tests.Support;

/// <summary>A fresh folder of runs under the temp folder, deleted afterwards.</summary>
internal sealed class RunTree : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nodb-tool-tests-");

    public string Root => _root.FullName;

    /// <summary>A new, empty run directory (not yet a NoDb run: it has no document).</summary>
    public string NewRunDirectory(string? name = null)
    {
        string directory = Path.Join(Root, name ?? "run-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Writes a document by hand, as another program or a person would.</summary>
    public static void WriteDocument(string runDirectory, string fileName, string json) =>
        File.WriteAllText(Path.Join(runDirectory, fileName), json, new UTF8Encoding(false));

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be exiting; the OS cleans the temp folder eventually.
        }
    }
}
