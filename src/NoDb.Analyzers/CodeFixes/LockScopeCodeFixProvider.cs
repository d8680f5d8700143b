using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NoDb.Analyzers.Diagnostics;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace NoDb.Analyzers.CodeFixes;

/// <summary>
/// NODB001: take the controller's lock for the rest of the block (<c>await using var _ = await c.LockAsync();</c> in async
/// code, <c>using var _ = c.Lock();</c> otherwise), or mark the method [RequiresLock] when it changes <c>this</c>.
/// NODB003: put the scope in <c>using</c> / <c>await using</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockScopeCodeFixProvider)), Shared]
public sealed class LockScopeCodeFixProvider : CodeFixProvider
{
    private const string TakeLockKey = "NoDb.TakeLock";
    private const string RequiresLockKey = "NoDb.RequiresLock";
    private const string UsingKey = "NoDb.Using";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("NODB001", "NODB003");

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) => await FixAllAsync(document, diagnostics, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            diagnostic.Properties.TryGetValue(DiagnosticProperties.Controller, out string? controller);
            if (controller is null)
            {
                continue;
            }

            if (diagnostic.Id == "NODB001")
            {
                if (Statement(node) is not null)
                {
                    string code = IsAsync(node) ? $"await using var _ = await {Receiver(controller)}.LockAsync();" : $"using var _ = {Receiver(controller)}.Lock();";
                    context.RegisterCodeFix(
                        CodeAction.Create($"Take the lock of '{controller}' ({code})", ct => FixAllAsync(context.Document, [diagnostic], TakeLockKey, ct), TakeLockKey),
                        diagnostic);
                }

                if (controller == "this" && node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Mark the method [RequiresLock]", ct => FixAllAsync(context.Document, [diagnostic], RequiresLockKey, ct), RequiresLockKey),
                        diagnostic);
                }
            }
            else if (UsableForUsing(node) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Release the lock with 'using'", ct => FixAllAsync(context.Document, [diagnostic], UsingKey, ct), UsingKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAllAsync(Document document, IEnumerable<Diagnostic> diagnostics, string? fix, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var insertions = new Dictionary<StatementSyntax, string>();
        var methods = new HashSet<MethodDeclarationSyntax>();
        var usings = new HashSet<StatementSyntax>();
        foreach (Diagnostic diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            diagnostic.Properties.TryGetValue(DiagnosticProperties.Controller, out string? controller);
            if (controller is null)
            {
                continue;
            }

            if (diagnostic.Id == "NODB001" && fix == TakeLockKey && Statement(node) is { } statement)
            {
                // One declaration per block and controller, before the first statement that needs it.
                var block = (BlockSyntax)statement.Parent!;
                bool already = insertions.Any(i => i.Key.Parent == block && i.Value == controller);
                if (!already)
                {
                    insertions[statement] = controller;
                }
            }
            else if (diagnostic.Id == "NODB001" && fix == RequiresLockKey && node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method)
            {
                methods.Add(method);
            }
            else if (diagnostic.Id == "NODB003" && fix == UsingKey && UsableForUsing(node) is { } declaration)
            {
                usings.Add(declaration);
            }
        }

        SyntaxNode updated = root.ReplaceNodes(
            insertions.Keys.Cast<SyntaxNode>().Concat(methods).Concat(usings),
            (original, rewritten) => original switch
            {
                MethodDeclarationSyntax => AddRequiresLock((MethodDeclarationSyntax)rewritten),
                StatementSyntax statement when usings.Contains(statement) => AddUsing((StatementSyntax)rewritten, IsAsync(original)),
                _ => rewritten,
            });

        // Insert the lock declarations last, before the statements they guard.
        foreach (KeyValuePair<StatementSyntax, string> insertion in insertions)
        {
            StatementSyntax current = updated.GetCurrentNode(insertion.Key) ?? FindEquivalent(updated, insertion.Key);
            updated = updated.InsertNodesBefore(current, [LockDeclaration(insertion.Value, IsAsync(insertion.Key)).WithLeadingTrivia(current.GetLeadingTrivia())]);
        }

        if (methods.Count > 0 && updated is CompilationUnitSyntax unit && !unit.Usings.Any(u => u.Name?.ToString() == "NoDb"))
        {
            updated = unit.AddUsings(UsingDirective(IdentifierName("NoDb")));
        }

        return document.WithSyntaxRoot(updated);
    }

    private static StatementSyntax FindEquivalent(SyntaxNode root, StatementSyntax original) =>
        root.DescendantNodes().OfType<StatementSyntax>().First(s => s.SpanStart >= original.SpanStart && s.IsEquivalentTo(original));

    /// <summary>The statement to guard: one directly inside a block.</summary>
    private static StatementSyntax? Statement(SyntaxNode node) =>
        node.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent is BlockSyntax);

    private static StatementSyntax? UsableForUsing(SyntaxNode node) =>
        node.FirstAncestorOrSelf<StatementSyntax>() switch
        {
            LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0 } declaration when declaration.Parent is BlockSyntax => declaration,
            ExpressionStatementSyntax expression when expression.Parent is BlockSyntax => expression,
            _ => null,
        };

    private static bool IsAsync(SyntaxNode node)
    {
        foreach (SyntaxNode ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.AsyncKeyword.RawKind != 0;
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case MethodDeclarationSyntax method:
                    return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    private static string Receiver(string controller) => controller == "this" ? "this" : controller;

    private static LocalDeclarationStatementSyntax LockDeclaration(string controller, bool isAsync)
    {
        string code = isAsync
            ? $"await using var _ = await {Receiver(controller)}.LockAsync();\n"
            : $"using var _ = {Receiver(controller)}.Lock();\n";
        return (LocalDeclarationStatementSyntax)ParseStatement(code);
    }

    private static LocalDeclarationStatementSyntax AddUsing(StatementSyntax statement, bool isAsync)
    {
        LocalDeclarationStatementSyntax declaration = statement switch
        {
            LocalDeclarationStatementSyntax local => local,
            ExpressionStatementSyntax expression => LocalDeclarationStatement(
                VariableDeclaration(IdentifierName("var"), SingletonSeparatedList(
                    VariableDeclarator(Identifier("_")).WithInitializer(EqualsValueClause(expression.Expression.WithoutTrivia())))))
                .WithLeadingTrivia(expression.GetLeadingTrivia())
                .WithTrailingTrivia(expression.GetTrailingTrivia()),
            _ => throw new System.InvalidOperationException("Not a declaration or expression statement."),
        };

        SyntaxTriviaList leading = declaration.GetLeadingTrivia();
        declaration = declaration.WithoutLeadingTrivia().WithUsingKeyword(Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(Space));
        if (isAsync)
        {
            declaration = declaration.WithAwaitKeyword(Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(Space));
        }

        return declaration.WithLeadingTrivia(leading);
    }

    private static MethodDeclarationSyntax AddRequiresLock(MethodDeclarationSyntax method)
    {
        // The attribute takes the method's place (its comments and indentation); the method follows on its own line.
        SyntaxToken first = method.GetFirstToken();
        SyntaxTriviaList indentation = first.LeadingTrivia.LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia)) is { RawKind: not 0 } space ? TriviaList(space) : TriviaList();
        AttributeListSyntax attribute = AttributeList(SingletonSeparatedList(Attribute(IdentifierName("RequiresLock"))))
            .WithLeadingTrivia(first.LeadingTrivia)
            .WithTrailingTrivia(EndOfLine("\n"));
        MethodDeclarationSyntax stripped = method.ReplaceToken(first, first.WithLeadingTrivia(indentation));
        return stripped.WithAttributeLists(stripped.AttributeLists.Insert(0, attribute));
    }
}
