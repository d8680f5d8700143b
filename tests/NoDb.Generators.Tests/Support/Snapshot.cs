using System.Runtime.CompilerServices;

namespace NoDb.Generators.Tests.Support;

/// <summary>
/// Snapshot checks with Verify's file conventions, so the suite can move to Verify.SourceGenerators by changing a package:
/// <c>Snapshots/{TestFile}.{TestMethod}#{HintName}.verified.cs</c> holds the accepted text; a mismatch writes
/// <c>.received.cs</c> beside it and fails. To accept, run the tests with <c>NODB_ACCEPT_SNAPSHOTS=1</c>, or move the
/// received file over the verified one.
/// </summary>
internal static class Snapshot
{
    private static readonly string Folder = typeof(Snapshot).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NoDbSnapshots").Value!;

    public static void Verify(string actual, string hintName, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        string folder = Folder;
        string stem = $"{Path.GetFileNameWithoutExtension(testFile.Replace('\\', '/').Split('/').Last())}.{testMethod}#{Path.GetFileNameWithoutExtension(hintName)}";
        string verified = Path.Join(folder, stem + ".verified.cs");
        string received = Path.Join(folder, stem + ".received.cs");
        string normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);

        if (File.Exists(verified) && File.ReadAllText(verified).Replace("\r\n", "\n", StringComparison.Ordinal) == normalized)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        if (Environment.GetEnvironmentVariable("NODB_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, normalized);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, normalized);
        Assert.Fail(File.Exists(verified)
            ? $"The generated {hintName} differs from {verified}. Compare it with {received}; if the change is intended, accept it (NODB_ACCEPT_SNAPSHOTS=1)."
            : $"No accepted snapshot for {hintName} yet. Review {received} and accept it (NODB_ACCEPT_SNAPSHOTS=1).");
    }
}
