using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NoDb.Analyzers.CodeFixes;
using NoDb.Generators;

namespace NoDb.Analyzers.Tests;

/// <summary>
/// NODB100 and NODB104 are reported by the generator, and the testing framework offers fixes only for analyzer
/// diagnostics, so this fix is driven through a workspace: the generator's real diagnostics, the provider, the edit.
/// </summary>
public sealed class MakePartialCodeFixTests
{
    [Fact]
    public async Task Makes_the_controller_and_its_container_partial_and_the_generator_then_succeeds()
    {
        const string source = """
            public static class Outer
            {
                [NoDb.NoDbController("one.nodb")]
                public sealed class One { public int Counter; }
            }
            """;

        Document document = CreateDocument(source);
        for (int round = 0; round < 2; round++)
        {
            ImmutableArray<Diagnostic> diagnostics = await GeneratorDiagnostics(document);
            Diagnostic diagnostic = diagnostics.First(d => d.Id is "NODB100" or "NODB104");
            document = await ApplyFix(document, diagnostic);
        }

        string fixedText = (await document.GetTextAsync(TestContext.Current.CancellationToken)).ToString();
        Assert.Equal("""
            public static partial class Outer
            {
                [NoDb.NoDbController("one.nodb")]
                public sealed partial class One { public int Counter; }
            }
            """, fixedText);
        Assert.Empty(await GeneratorDiagnostics(document));
    }

    [Fact]
    public async Task Adds_partial_where_there_are_no_modifiers()
    {
        Document document = CreateDocument("""
            [NoDb.NoDbController("two.nodb")]
            class Two { public int Counter; }
            """);

        document = await ApplyFix(document, (await GeneratorDiagnostics(document)).Single());

        Assert.Equal("""
            [NoDb.NoDbController("two.nodb")]
            partial class Two { public int Counter; }
            """, (await document.GetTextAsync(TestContext.Current.CancellationToken)).ToString());
    }

    private static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        string runtime = typeof(MakePartialCodeFixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NoDbRuntimeNet8").Value!;
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(runtime));
        Project project = workspace.AddProject("Consumer", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .WithMetadataReferences(references);
        return project.AddDocument("Test.cs", SourceText.From(source));
    }

    private static async Task<ImmutableArray<Diagnostic>> GeneratorDiagnostics(Document document)
    {
        Compilation compilation = (await document.Project.GetCompilationAsync(TestContext.Current.CancellationToken))!;
        CSharpGeneratorDriver.Create(new NoDbControllerGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        return diagnostics;
    }

    private static async Task<Document> ApplyFix(Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), TestContext.Current.CancellationToken);
        await new MakePartialCodeFixProvider().RegisterCodeFixesAsync(context);
        CodeAction action = Assert.Single(actions);
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(TestContext.Current.CancellationToken);
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return changed.GetDocument(document.Id)!;
    }
}
