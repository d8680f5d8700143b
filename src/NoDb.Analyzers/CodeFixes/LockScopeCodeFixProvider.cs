using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Text;
using NoDb.Analyzers.Diagnostics;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace NoDb.Analyzers.CodeFixes;

/// <summary>
/// NODB001 and NODB005: take the controller's lock for the rest of the block (<c>await using var climateScope = await
/// climate.LockAsync();</c> in async code, <c>using var climateScope = climate.Lock();</c> otherwise; an expression body
/// becomes a block first), mark the method [RequiresLock] when it changes <c>this</c>, or mark the parameter
/// [RequiresLock] when the controller is one. NODB003: put the scope in <c>using</c> / <c>await using</c>.
/// Every fix compiles: the local gets a name no other local, parameter or member in reach uses, and Fix All takes one
/// lock per controller and body, at the innermost block that covers every flagged write of that controller.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockScopeCodeFixProvider)), Shared]
public sealed class LockScopeCodeFixProvider : CodeFixProvider
{
    private const string TakeLockKey = "NoDb.TakeLock";
    private const string RequiresLockKey = "NoDb.RequiresLock";
    private const string RequiresLockParameterKey = "NoDb.RequiresLockParameter";
    private const string UsingKey = "NoDb.Using";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("NODB001", "NODB003", "NODB005");

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) => await FixAllAsync(document, diagnostics, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Target.From(diagnostic, root) is not { } target)
            {
                continue;
            }

            if (diagnostic.Id is "NODB001" or "NODB005")
            {
                if (target.Function is not null && (target.Statement is not null || CanConvertToBlock(target.Function)))
                {
                    bool isAsync = LockIsAsync(target.Function, target.Statement);
                    string name = UniqueName(model, target.Function, target.Node.SpanStart, BaseName(target.Controller), new HashSet<string>());
                    string code = LockCode(target.Controller, name, isAsync);
                    context.RegisterCodeFix(
                        CodeAction.Create($"Take the lock of '{target.Controller}' ({code})", ct => FixAllAsync(context.Document, [diagnostic], TakeLockKey, ct), TakeLockKey),
                        diagnostic);
                }

                if (target.Kind == "this" && target.Function is MethodDeclarationSyntax)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Mark the method [RequiresLock]", ct => FixAllAsync(context.Document, [diagnostic], RequiresLockKey, ct), RequiresLockKey),
                        diagnostic);
                }

                if (target.Kind == "parameter" && ParameterOf(target.Function, target.Controller) is not null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create($"Mark the parameter '{target.Controller}' [RequiresLock]", ct => FixAllAsync(context.Document, [diagnostic], RequiresLockParameterKey, ct), RequiresLockParameterKey),
                        diagnostic);
                }
            }
            else if (UsableForUsing(target.Node) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Release the lock with 'using'", ct => FixAllAsync(context.Document, [diagnostic], UsingKey, ct), UsingKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAllAsync(Document document, IEnumerable<Diagnostic> diagnostics, string? fix, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        SyntaxNode root = editor.OriginalRoot;
        SemanticModel model = editor.SemanticModel;
        List<Target> targets = diagnostics
            .Where(d => fix == UsingKey ? d.Id == "NODB003" : d.Id is "NODB001" or "NODB005")
            .Select(d => Target.From(d, root))
            .OfType<Target>()
            .ToList();

        // Each edit replaces one node; edits are registered innermost first so that an outer one sees the inner ones.
        var edits = new List<(SyntaxNode Node, System.Func<SyntaxNode, SyntaxNode> Rewrite)>();
        var taken = new Dictionary<SyntaxNode, HashSet<string>>();
        bool needsNamespace = false;
        switch (fix)
        {
            case TakeLockKey:
                var insertions = new Dictionary<SyntaxNode, List<(int Index, string Controller, string Name, bool IsAsync)>>();
                foreach (IGrouping<(string, SyntaxNode?), Target> group in targets.GroupBy(t => (t.Controller, t.Function)))
                {
                    (string controller, SyntaxNode? function) = group.Key;
                    if (function is null)
                    {
                        continue;
                    }

                    HashSet<string> names = Taken(taken, function);

                    // The innermost block of the body that holds every flagged statement; the lock goes before the first.
                    StatementSyntax[]? statements = group.All(t => t.Statement is not null) ? [.. group.Select(t => t.Statement!)] : null;
                    SyntaxNode? container = statements?[0].Ancestors().OfType<BlockSyntax>()
                        .TakeWhile(b => b != function && function.Contains(b))
                        .FirstOrDefault(b => statements.All(b.Contains));
                    if (container is null && statements is not null && function is CompilationUnitSyntax)
                    {
                        container = function; // top-level statements: before the first global statement that needs it
                    }

                    if (container is not null)
                    {
                        SyntaxNode[] items = [.. Items(container)];
                        int index = System.Array.FindIndex(items, item => statements!.Any(item.Contains));
                        string unique = UniqueName(model, function, items[index].SpanStart, BaseName(controller), names);
                        if (!insertions.TryGetValue(container, out var list))
                        {
                            insertions[container] = list = [];
                        }

                        list.Add((index, controller, unique, LockIsAsync(function, items[index])));
                    }
                    else if (CanConvertToBlock(function))
                    {
                        // An expression body: it becomes a block that starts with the lock, which then covers all of it.
                        string name = UniqueName(model, function, function.SpanStart, BaseName(controller), names);
                        bool returns = ReturnsValue(function, model, cancellationToken);
                        bool isAsync = LockIsAsync(function, null);
                        edits.Add((function, current => ToBlockBody(current, LockDeclaration(controller, name, isAsync), returns)));
                    }
                }

                foreach (KeyValuePair<SyntaxNode, List<(int Index, string Controller, string Name, bool IsAsync)>> insertion in insertions)
                {
                    edits.Add((insertion.Key, current => InsertLocks(current, insertion.Value)));
                }

                break;

            case RequiresLockKey:
                foreach (MethodDeclarationSyntax method in targets.Where(t => t.Kind == "this").Select(t => t.Function).OfType<MethodDeclarationSyntax>().Distinct())
                {
                    edits.Add((method, current => AddRequiresLock((MethodDeclarationSyntax)current)));
                    needsNamespace |= !RequiresLockInScope(model, method.SpanStart);
                }

                break;

            case RequiresLockParameterKey:
                foreach (ParameterSyntax parameter in targets.Where(t => t.Kind == "parameter").Select(t => ParameterOf(t.Function, t.Controller)).OfType<ParameterSyntax>().Distinct())
                {
                    edits.Add((parameter, current => ((ParameterSyntax)current).AddAttributeLists(
                        AttributeList(SingletonSeparatedList(Attribute(IdentifierName("RequiresLock")))).WithTrailingTrivia(Space))));
                    needsNamespace |= !RequiresLockInScope(model, parameter.SpanStart);
                }

                break;

            case UsingKey:
                foreach (StatementSyntax statement in targets.Select(t => UsableForUsing(t.Node)).OfType<StatementSyntax>().Distinct())
                {
                    bool isAsync = IsAsyncContext(statement);
                    SyntaxNode scope = MemberOf(statement);
                    string name = UniqueName(model, scope, statement.SpanStart, "scope", Taken(taken, scope));
                    edits.Add((statement, current => AddUsing((StatementSyntax)current, isAsync, name)));
                }

                break;
        }

        foreach ((SyntaxNode node, System.Func<SyntaxNode, SyntaxNode> rewrite) in edits.OrderByDescending(e => e.Node.Ancestors().Count()))
        {
            editor.ReplaceNode(node, (current, _) => rewrite(current));
        }

        SyntaxNode updated = editor.GetChangedRoot();
        if (needsNamespace && updated is CompilationUnitSyntax unit)
        {
            updated = unit.AddUsings(UsingDirective(IdentifierName("NoDb")).WithTrailingTrivia(EndOfLine("\n")));
        }

        return document.WithSyntaxRoot(updated);
    }

    /// <summary>What one diagnostic is about, in the syntax of the document it was reported in.</summary>
    private sealed class Target
    {
        private Target(SyntaxNode node, string controller, string kind, SyntaxNode? function, StatementSyntax? statement)
        {
            Node = node;
            Controller = controller;
            Kind = kind;
            Function = function;
            Statement = statement;
        }

        public SyntaxNode Node { get; }

        public string Controller { get; }

        public string Kind { get; }

        /// <summary>The body whose lock covers the diagnosed code: a method, accessor, local function or lambda.</summary>
        public SyntaxNode? Function { get; }

        /// <summary>The statement (directly in a block of <see cref="Function"/>) that a lock taken before it covers.</summary>
        public StatementSyntax? Statement { get; }

        public static Target? From(Diagnostic diagnostic, SyntaxNode root)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Controller, out string? controller) || controller is null)
            {
                return null;
            }

            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            diagnostic.Properties.TryGetValue(DiagnosticProperties.ControllerKind, out string? kind);
            SyntaxNode? function = LockRoot(diagnostic, root) ?? node.AncestorsAndSelf().FirstOrDefault(IsFunction);
            StatementSyntax? statement = function is null
                ? null
                : node.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent is BlockSyntax or GlobalStatementSyntax && s != function && function.Contains(s));
            return new Target(node, controller, kind ?? "", function, statement);
        }

        private static SyntaxNode? LockRoot(Diagnostic diagnostic, SyntaxNode root)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.LockRoot, out string? span) || span?.Split(',') is not [var start, var length]
                || !int.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out int s)
                || !int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out int l)
                || s + l > root.FullSpan.End)
            {
                return null;
            }

            return root.FindNode(new TextSpan(s, l), getInnermostNodeForTie: true).AncestorsAndSelf().FirstOrDefault(IsFunction);
        }
    }

    private static bool IsFunction(SyntaxNode node) =>
        node is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax
            or PropertyDeclarationSyntax or IndexerDeclarationSyntax
        || node is CompilationUnitSyntax unit && unit.Members.Any(m => m is GlobalStatementSyntax);

    /// <summary>The statements of a block, or the global statements of a program of top-level statements.</summary>
    private static IEnumerable<SyntaxNode> Items(SyntaxNode container) =>
        container is BlockSyntax block ? block.Statements : ((CompilationUnitSyntax)container).Members;

    private static HashSet<string> Taken(Dictionary<SyntaxNode, HashSet<string>> taken, SyntaxNode function)
    {
        SyntaxNode member = MemberOf(function);
        if (!taken.TryGetValue(member, out HashSet<string>? names))
        {
            taken[member] = names = [];
        }

        return names;
    }

    /// <summary>The member (or, in a program of top-level statements, the file) whose locals can clash with a new one.</summary>
    private static SyntaxNode MemberOf(SyntaxNode node) =>
        node.AncestorsAndSelf().FirstOrDefault(n => n is MemberDeclarationSyntax and not GlobalStatementSyntax and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax)
        ?? node.SyntaxTree.GetRoot();

    private static string BaseName(string controller)
    {
        if (controller == "this")
        {
            return "scope";
        }

        string name = controller.TrimStart('_');
        return name.Length == 0 ? "scope" : char.ToLowerInvariant(name[0]) + name.Substring(1) + "Scope";
    }

    /// <summary>
    /// <paramref name="baseName"/>, or it with a number, such that no local, parameter, range variable or local function
    /// of the member, nothing in scope at <paramref name="position"/>, and no name this fix already chose uses it: no
    /// CS0128 or CS0136, whatever the blocks around it declare.
    /// </summary>
    private static string UniqueName(SemanticModel model, SyntaxNode function, int position, string baseName, HashSet<string> chosen)
    {
        SyntaxNode member = MemberOf(function);
        var used = new HashSet<string>(chosen);
        foreach (SyntaxNode node in member.DescendantNodesAndSelf())
        {
            SyntaxToken identifier = node switch
            {
                VariableDeclaratorSyntax v => v.Identifier,
                SingleVariableDesignationSyntax d => d.Identifier,
                ParameterSyntax p => p.Identifier,
                ForEachStatementSyntax f => f.Identifier,
                CatchDeclarationSyntax c => c.Identifier,
                LocalFunctionStatementSyntax l => l.Identifier,
                FromClauseSyntax q => q.Identifier,
                LetClauseSyntax q => q.Identifier,
                JoinClauseSyntax q => q.Identifier,
                JoinIntoClauseSyntax q => q.Identifier,
                QueryContinuationSyntax q => q.Identifier,
                TypeParameterSyntax t => t.Identifier,
                _ => default,
            };
            if (identifier.RawKind != 0)
            {
                used.Add(identifier.ValueText);
            }
        }

        foreach (ISymbol symbol in model.LookupSymbols(position))
        {
            used.Add(symbol.Name);
        }

        string name = baseName;
        for (int i = 2; used.Contains(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None; i++)
        {
            name = baseName + i.ToString(CultureInfo.InvariantCulture);
        }

        chosen.Add(name);
        return name;
    }

    private static bool RequiresLockInScope(SemanticModel model, int position) =>
        !model.LookupNamespacesAndTypes(position, name: "RequiresLockAttribute").IsEmpty;

    /// <summary>Whether the lock is taken with <c>await using … LockAsync()</c>: in async code, outside a <c>lock</c> statement.</summary>
    private static bool LockIsAsync(SyntaxNode function, SyntaxNode? at) =>
        IsAsyncFunction(function) && (at is null || !at.Ancestors().TakeWhile(a => a != function).Any(a => a is LockStatementSyntax));

    private static bool IsAsyncFunction(SyntaxNode function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.AsyncKeyword.RawKind != 0,
        LocalFunctionStatementSyntax local => local.Modifiers.Any(SyntaxKind.AsyncKeyword),
        BaseMethodDeclarationSyntax method => method.Modifiers.Any(SyntaxKind.AsyncKeyword),
        CompilationUnitSyntax unit => unit.Members.OfType<GlobalStatementSyntax>()
            .SelectMany(g => g.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            .Any(n => n is AwaitExpressionSyntax),
        _ => false,
    };

    private static bool IsAsyncContext(SyntaxNode node) =>
        node.Ancestors().FirstOrDefault(IsFunction) is { } function && IsAsyncFunction(function);

    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string LockCode(string controller, string name, bool isAsync) =>
        isAsync ? $"await using var {name} = await {Escape(controller)}.LockAsync();" : $"using var {name} = {Escape(controller)}.Lock();";

    private static LocalDeclarationStatementSyntax LockDeclaration(string controller, string name, bool isAsync) =>
        (LocalDeclarationStatementSyntax)ParseStatement(LockCode(controller, name, isAsync) + "\n");

    private static SyntaxNode InsertLocks(SyntaxNode container, List<(int Index, string Controller, string Name, bool IsAsync)> locks)
    {
        if (container is CompilationUnitSyntax unit)
        {
            SyntaxList<MemberDeclarationSyntax> members = unit.Members;
            foreach ((int index, string controller, string name, bool isAsync) in locks.OrderByDescending(l => l.Index))
            {
                (MemberDeclarationSyntax before, SyntaxTriviaList leading) = Detach(members[index]);
                members = members.Replace(members[index], before)
                    .Insert(index, GlobalStatement(LockDeclaration(controller, name, isAsync)).WithLeadingTrivia(leading));
            }

            return unit.WithMembers(members);
        }

        var block = (BlockSyntax)container;
        SyntaxList<StatementSyntax> statements = block.Statements;
        foreach ((int index, string controller, string name, bool isAsync) in locks.OrderByDescending(l => l.Index))
        {
            (StatementSyntax before, SyntaxTriviaList leading) = Detach(statements[index]);
            statements = statements.Replace(statements[index], before)
                .Insert(index, LockDeclaration(controller, name, isAsync).WithLeadingTrivia(leading));
        }

        return block.WithStatements(statements);
    }

    /// <summary>The lock takes the statement's place (its comments and blank lines); the statement keeps its indentation.</summary>
    private static (T Node, SyntaxTriviaList Leading) Detach<T>(T node)
        where T : SyntaxNode
    {
        SyntaxTriviaList leading = node.GetLeadingTrivia();
        SyntaxTriviaList indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? TriviaList(leading[leading.Count - 1]) : TriviaList();
        return (node.WithLeadingTrivia(indentation), leading);
    }

    private static bool CanConvertToBlock(SyntaxNode function) => function switch
    {
        BaseMethodDeclarationSyntax { ExpressionBody: not null } => true,
        LocalFunctionStatementSyntax { ExpressionBody: not null } => true,
        AnonymousFunctionExpressionSyntax { ExpressionBody: not null } => true,
        AccessorDeclarationSyntax { ExpressionBody: not null } => true,
        PropertyDeclarationSyntax { ExpressionBody: not null } => true,
        IndexerDeclarationSyntax { ExpressionBody: not null } => true,
        _ => false,
    };

    /// <summary>Whether the expression body is a value to return (not a statement: void, or an async Task with no result).</summary>
    private static bool ReturnsValue(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken)
    {
        if (function is PropertyDeclarationSyntax or IndexerDeclarationSyntax)
        {
            return true;
        }

        if (function is AccessorDeclarationSyntax accessor)
        {
            return accessor.IsKind(SyntaxKind.GetAccessorDeclaration);
        }

        ISymbol? symbol = function is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(function, cancellationToken).Symbol
            : model.GetDeclaredSymbol(function, cancellationToken);
        if (symbol is not IMethodSymbol method || method.ReturnsVoid)
        {
            return false;
        }

        return !(method.IsAsync && method.ReturnType is INamedTypeSymbol { Arity: 0, Name: "Task" or "ValueTask" });
    }

    private static SyntaxNode ToBlockBody(SyntaxNode function, StatementSyntax lockDeclaration, bool returns)
    {
        BlockSyntax Body(ExpressionSyntax expression) =>
            Block(lockDeclaration, returns ? ReturnStatement(expression.WithoutTrivia()) : ExpressionStatement(expression.WithoutTrivia()))
                .WithAdditionalAnnotations(Formatter.Annotation);

        return function switch
        {
            MethodDeclarationSyntax { ExpressionBody: { } arrow } method => method
                .WithBody(Body(arrow.Expression)).WithExpressionBody(null).WithSemicolonToken(default)
                .WithParameterList(method.ParameterList.WithTrailingTrivia(EndOfLine("\n"))),
            BaseMethodDeclarationSyntax { ExpressionBody: { } arrow } method => method
                .WithBody(Body(arrow.Expression)).WithExpressionBody(null).WithSemicolonToken(default)
                .WithParameterList(method.ParameterList.WithTrailingTrivia(EndOfLine("\n"))),
            LocalFunctionStatementSyntax { ExpressionBody: { } arrow } local => local
                .WithBody(Body(arrow.Expression)).WithExpressionBody(null).WithSemicolonToken(default)
                .WithParameterList(local.ParameterList.WithTrailingTrivia(EndOfLine("\n"))),
            AnonymousFunctionExpressionSyntax { ExpressionBody: { } expression } lambda => lambda
                .WithBody(Body(expression)).WithAdditionalAnnotations(Formatter.Annotation),
            AccessorDeclarationSyntax { ExpressionBody: { } arrow } accessor => accessor
                .WithBody(Body(arrow.Expression)).WithExpressionBody(null).WithSemicolonToken(default)
                .WithAdditionalAnnotations(Formatter.Annotation),
            PropertyDeclarationSyntax { ExpressionBody: { } arrow } property => property
                .WithAccessorList(AccessorList(SingletonList(AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, Body(arrow.Expression)))))
                .WithExpressionBody(null).WithSemicolonToken(default)
                .WithAdditionalAnnotations(Formatter.Annotation),
            IndexerDeclarationSyntax { ExpressionBody: { } arrow } indexer => indexer
                .WithAccessorList(AccessorList(SingletonList(AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, Body(arrow.Expression)))))
                .WithExpressionBody(null).WithSemicolonToken(default)
                .WithAdditionalAnnotations(Formatter.Annotation),
            _ => function,
        };
    }

    private static ParameterSyntax? ParameterOf(SyntaxNode? function, string name)
    {
        ParameterListSyntax? parameters = function switch
        {
            BaseMethodDeclarationSyntax method => method.ParameterList,
            LocalFunctionStatementSyntax local => local.ParameterList,
            _ => null, // a lambda's callers cannot be checked, so its parameters are not offered
        };
        return parameters?.Parameters.FirstOrDefault(p => p.Identifier.ValueText == name);
    }

    /// <summary>The statement that keeps a scope (never a token: a token is released by UnlockAsync, not by using).</summary>
    private static StatementSyntax? UsableForUsing(SyntaxNode node)
    {
        if (node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault() is not { Expression: MemberAccessExpressionSyntax access }
            || access.Name.Identifier.ValueText is not ("Lock" or "LockAsync" or "TryLockAsync"))
        {
            return null;
        }

        switch (node.FirstAncestorOrSelf<StatementSyntax>())
        {
            case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, Declaration.Variables: [var variable] } declaration
                when declaration.Parent is BlockSyntax or GlobalStatementSyntax && !IsWrittenAgain(declaration, variable.Identifier.ValueText):
                return declaration;
            case ExpressionStatementSyntax expression when expression.Parent is BlockSyntax or GlobalStatementSyntax:
                return expression;
            default:
                return null;
        }
    }

    /// <summary>A using local is read-only: a local assigned again (or passed by ref) cannot become one.</summary>
    private static bool IsWrittenAgain(LocalDeclarationStatementSyntax declaration, string name) =>
        (declaration.Parent is GlobalStatementSyntax global ? global.Parent! : declaration.Parent!).DescendantNodes().Any(n => n switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax left } => left.Identifier.ValueText == name,
            ArgumentSyntax { RefKindKeyword.RawKind: not 0, Expression: IdentifierNameSyntax argument } => argument.Identifier.ValueText == name,
            _ => false,
        });

    private static LocalDeclarationStatementSyntax AddUsing(StatementSyntax statement, bool isAsync, string name)
    {
        LocalDeclarationStatementSyntax declaration = statement switch
        {
            LocalDeclarationStatementSyntax local => local,
            ExpressionStatementSyntax expression => LocalDeclarationStatement(
                VariableDeclaration(IdentifierName("var"), SingletonSeparatedList(
                    VariableDeclarator(Identifier(name)).WithInitializer(EqualsValueClause(expression.Expression.WithoutTrivia())))))
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
