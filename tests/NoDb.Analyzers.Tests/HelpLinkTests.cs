using Microsoft.CodeAnalysis.Diagnostics;
using NoDb.Diagnostics;

namespace NoDb.Analyzers.Tests;

/// <summary>Help links point at the pages shipped in the package (offline), or nowhere: never at a site that does not exist.</summary>
public sealed class HelpLinkTests : IDisposable
{
    private readonly DirectoryInfo _package = Directory.CreateTempSubdirectory("nodb-package-layout-");

    public void Dispose() => _package.Delete(recursive: true);

    [Fact]
    public void In_the_package_layout_a_link_is_a_file_uri_to_the_shipped_page()
    {
        string analyzers = Directory.CreateDirectory(Path.Join(_package.FullName, "analyzers", "dotnet", "cs")).FullName;
        string pages = Directory.CreateDirectory(Path.Join(_package.FullName, "docs", "diagnostics")).FullName;
        File.WriteAllText(Path.Join(pages, "NODB001.md"), "# NODB001");

        string? folder = HelpLinks.PagesFolder(Path.Join(analyzers, "NoDb.Analyzers.dll"));

        Assert.Equal(pages, folder);
        string link = HelpLinks.For("NODB001", folder);
        Assert.StartsWith("file:", link, StringComparison.Ordinal);
        Assert.Equal("# NODB001", File.ReadAllText(new Uri(link).LocalPath));
        Assert.Equal(string.Empty, HelpLinks.For("NODB999", folder)); // no page, no link
    }

    [Fact]
    public void Outside_the_package_layout_there_is_no_link()
    {
        Assert.Null(HelpLinks.PagesFolder(Path.Join(_package.FullName, "NoDb.Analyzers.dll")));
        Assert.Null(HelpLinks.PagesFolder(null));
        Assert.Equal(string.Empty, HelpLinks.For("NODB001", null));
    }

    [Fact]
    public void Every_descriptor_has_a_page_in_docs_and_no_link_to_a_web_site()
    {
        string docs = Path.GetFullPath(Path.Join(AppContext.BaseDirectory, "..", "..", "..", "..", "docs", "diagnostics"));
        DiagnosticAnalyzer[] analyzers = [new LockDisciplineAnalyzer(), new ControllerDeclarationAnalyzer()];
        foreach (var descriptor in analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            Assert.True(File.Exists(Path.Join(docs, descriptor.Id + ".md")), $"{descriptor.Id} has no page in {docs}");
            Assert.DoesNotContain("http", descriptor.HelpLinkUri, StringComparison.Ordinal);
        }
    }
}
