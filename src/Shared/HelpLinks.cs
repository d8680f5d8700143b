using System;
using System.IO;

namespace NoDb.Diagnostics;

/// <summary>
/// Help links for every NoDb diagnostic, shared by the generator and the analyzers (a linked source file, so the two
/// cannot disagree). The pages ship in the NoDb package under <c>docs/diagnostics</c>, beside
/// <c>analyzers/dotnet/cs</c>; a link is a <c>file:</c> URI to the page in the package, so it works offline. Where the
/// page is not there (an IDE that copies analyzers elsewhere, a build from project references), there is no link
/// rather than one that points nowhere; the README says where the pages are.
/// </summary>
internal static class HelpLinks
{
    private static readonly string? Folder = PagesFolder(AssemblyLocation());

    /// <summary>The help link of diagnostic <paramref name="id"/>, or the empty string when its page cannot be found.</summary>
    public static string For(string id) => For(id, Folder);

    /// <summary>The folder of the pages for an assembly at <paramref name="assemblyLocation"/> in the package layout.</summary>
    public static string? PagesFolder(string? assemblyLocation)
    {
        if (string.IsNullOrEmpty(assemblyLocation))
        {
            return null;
        }

        try
        {
            // <package>/analyzers/dotnet/cs/NoDb.Analyzers.dll -> <package>/docs/diagnostics
            DirectoryInfo? package = new FileInfo(assemblyLocation).Directory?.Parent?.Parent?.Parent;
            string? folder = package is null ? null : Path.Combine(package.FullName, "docs", "diagnostics");
#pragma warning disable RS1035 // Read once when the descriptors are made, not during analysis; it decides only whether a help link is offered.
            return folder is not null && Directory.Exists(folder) ? folder : null;
#pragma warning restore RS1035
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return null;
        }
    }

    /// <summary>The link to the page of <paramref name="id"/> in <paramref name="folder"/>, or the empty string.</summary>
    public static string For(string id, string? folder)
    {
        if (folder is null)
        {
            return string.Empty;
        }

        string page = Path.Combine(folder, id + ".md");
#pragma warning disable RS1035 // See PagesFolder.
        return File.Exists(page) ? new Uri(page).AbsoluteUri : string.Empty;
#pragma warning restore RS1035
    }

    private static string? AssemblyLocation()
    {
        try
        {
            return typeof(HelpLinks).Assembly.Location;
        }
        catch (NotSupportedException)
        {
            return null; // loaded from bytes
        }
    }
}
