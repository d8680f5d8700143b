using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using NoDb.Analyzers.Diagnostics;

namespace NoDb.Analyzers.Analysis;

/// <summary>
/// Lock discipline for one body: a must-hold analysis (NODB001, NODB005), token origins (NODB002), scopes left open
/// (NODB003), re-locking (NODB004), and lambdas or local functions that may outlive their scope (NODB006).
/// </summary>
internal sealed class LockFlowAnalysis
{
    private static readonly ImmutableHashSet<string> EagerLinq = ImmutableHashSet.Create(
        "All", "Any", "Count", "LongCount", "First", "FirstOrDefault", "Last", "LastOrDefault", "Single", "SingleOrDefault",
        "Sum", "Min", "Max", "MinBy", "MaxBy", "Average", "Aggregate", "Contains", "ToList", "ToArray", "ToDictionary",
        "ToHashSet", "ToLookup", "SequenceEqual", "ElementAt", "ElementAtOrDefault");

    private readonly NoDbSymbols _symbols;
    private readonly ImmutableHashSet<string> _mutators;
    private readonly Action<Diagnostic> _report;

    public LockFlowAnalysis(NoDbSymbols symbols, ImmutableHashSet<string> mutators, Action<Diagnostic> report)
    {
        _symbols = symbols;
        _mutators = mutators;
        _report = report;
    }

    /// <summary>The [RequiresLock] parameters of <paramref name="method"/>: held in its body, required at its call sites.</summary>
    public static ImmutableHashSet<LockKey> RequiresLockParameters(IMethodSymbol method, NoDbSymbols symbols)
    {
        ImmutableHashSet<LockKey> held = ImmutableHashSet<LockKey>.Empty;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (symbols.IsRequiresLockParameter(parameter))
            {
                held = held.Add(LockKey.Of(parameter));
            }
        }

        return held;
    }

    public void Analyze(ControlFlowGraph graph, ImmutableHashSet<LockKey> initial, DeferredContext? deferred, KeyResolver? outer, SyntaxNode fixRoot)
    {
        var resolver = new KeyResolver(graph, outer);
        var solver = new FlowSolver(graph, (block, state) => Transfer(block, state, resolver, pass: null), (block, state) => Refine(block, state, resolver));
        FlowState?[] entry = solver.Solve(FlowState.WithHeld(initial));

        var pass = new ReportPass(deferred, fixRoot);
        foreach (BasicBlock block in graph.Blocks)
        {
            if (entry[block.Ordinal] is { } state)
            {
                Transfer(block, state, resolver, pass);
            }
        }

        if (entry[graph.Blocks.Length - 1] is { } exit)
        {
            // One report per acquisition, whatever the number of locals that name it; none if any of them escapes.
            ImmutableHashSet<Storage> escaped = Escapes(graph, resolver);
            foreach (IGrouping<Acquisition, Storage> open in exit.Open.GroupBy(o => o.Value, o => o.Key))
            {
                if (!open.Any(escaped.Contains))
                {
                    _report(Diagnostic.Create(Descriptors.NotReleased, open.Key.Location, FixProperties(open.Key.Key, fixRoot), open.Key.Key.DisplayName));
                }
            }
        }

        foreach ((IFlowAnonymousFunctionOperation lambda, ImmutableHashSet<LockKey> held, DeferredContext? context) in pass.Lambdas)
        {
            // A lambda that runs before the code around it goes on sees that code's locks: a lock taken there covers it.
            Analyze(graph.GetAnonymousFunctionControlFlowGraph(lambda), held, context, resolver, context is null ? fixRoot : lambda.Syntax);
        }

        foreach (IMethodSymbol local in graph.LocalFunctions)
        {
            pass.LocalFunctionCalls.TryGetValue(local, out ImmutableHashSet<LockKey>? atCalls);
            bool direct = atCalls is not null && !pass.LocalFunctionsAsDelegates.Contains(local);
            ControlFlowGraph localGraph = graph.GetLocalFunctionControlFlowGraph(local);
            Analyze(
                localGraph,
                (direct ? atCalls! : ImmutableHashSet<LockKey>.Empty).Union(RequiresLockParameters(local, _symbols)),
                direct ? null : new DeferredContext("local function", pass.LocalFunctionsAsDelegates.Contains(local) ? pass.HeldAtDelegate[local] : ImmutableHashSet<LockKey>.Empty),
                resolver,
                localGraph.OriginalOperation.Syntax);
        }
    }

    private FlowState Transfer(BasicBlock block, FlowState state, KeyResolver resolver, ReportPass? pass)
    {
        foreach (IOperation root in KeyResolver.Roots(block))
        {
            if (pass is not null)
            {
                Check(root, state, resolver, pass);
            }

            state = Effects(root, state, resolver, pass);
        }

        return state;
    }

    /// <summary>Reports what is wrong in <paramref name="root"/> given the locks held before it.</summary>
    private void Check(IOperation root, FlowState state, KeyResolver resolver, ReportPass pass)
    {
        foreach (IOperation operation in root.DescendantsAndSelf())
        {
            foreach (IOperation written in OperationFacts.WriteTargets(operation, _mutators))
            {
                IOperation target = resolver.ThroughCapture(written);
                if (OperationFacts.PersistedMember(target, _symbols) is ({ } member, var controller))
                {
                    // One report per write, even when a deconstruction writes several persisted members.
                    Require(controller, $"'{member.Name}'", "Writing", operation, state, resolver, pass, Descriptors.MutationWithoutLock);
                    break;
                }

                if (KeyResolver.Unwrap(target) is IPropertyReferenceOperation property && _symbols.RequiresLock(property.Property))
                {
                    Require(property.Instance, $"'{property.Property.Name}'", "Setting", operation, state, resolver, pass, Descriptors.RequiresLockCalledWithoutLock);
                }
            }

            switch (operation)
            {
                case IInvocationOperation invocation:
                    CheckInvocation(invocation, state, resolver, pass);
                    break;
                case IObjectCreationOperation creation:
                    CheckLockedArguments(creation.Constructor, creation.Arguments, creation, state, resolver, pass);
                    break;
                case IFlowAnonymousFunctionOperation lambda:
                    pass.Lambdas.Add(LambdaContext(lambda, state, resolver));
                    break;
                case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } reference:
                    pass.LocalFunctionsAsDelegates.Add(reference.Method);
                    pass.HeldAtDelegate[reference.Method] = state.Held;
                    break;
            }
        }
    }

    private void CheckInvocation(IInvocationOperation invocation, FlowState state, KeyResolver resolver, ReportPass pass)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            pass.LocalFunctionCalls[method] = pass.LocalFunctionCalls.TryGetValue(method, out ImmutableHashSet<LockKey>? before)
                ? before.Intersect(state.Held)
                : state.Held;
        }

        if (_symbols.RequiresLock(method) && method.MethodKind != MethodKind.PropertySet && _symbols.IsController(method.ContainingType))
        {
            Require(invocation.Instance, $"'{method.Name}'", "Calling", invocation, state, resolver, pass, Descriptors.RequiresLockCalledWithoutLock);
        }

        CheckLockedArguments(method, invocation.Arguments, invocation, state, resolver, pass);

        if (OperationFacts.Acquisition(invocation, _symbols, out _, out _) is not null
            && resolver.Resolve(invocation.Instance, out _) is { } again && state.Held.Contains(again))
        {
            _report(Diagnostic.Create(Descriptors.LockedAgain, invocation.Syntax.GetLocation(), again.DisplayName));
        }

        if (TokenVerb(method) is { } verb && invocation.Arguments.Length > 0)
        {
            IOperation token = KeyResolver.Unwrap(invocation.Arguments[0].Value)!;
            if (token is IPropertyReferenceOperation { Property.Name: "Token", Instance: { } scope })
            {
                token = scope;
            }

            if (resolver.StorageOf(token) is { } storage && state.Open.TryGetValue(storage, out Acquisition? origin)
                && resolver.Resolve(invocation.Instance, out _) is { } receiver && !receiver.Equals(origin.Key))
            {
                _report(Diagnostic.Create(Descriptors.ForeignToken, invocation.Arguments[0].Syntax.GetLocation(), origin.Key.DisplayName, verb, receiver.DisplayName));
            }
        }

        string? TokenVerb(IMethodSymbol target) =>
            _symbols.IsController(target.ContainingType)
                ? target.Name switch
                {
                    "UnlockAsync" => "unlock",
                    "DumpAsync" => "dump",
                    "DumpAndUnlockAsync" => "dump and unlock",
                    _ => null,
                }
                : null;
    }

    /// <summary>NODB005 for each controller passed to a [RequiresLock] parameter (an extension method's receiver included).</summary>
    private void CheckLockedArguments(IMethodSymbol? method, ImmutableArray<IArgumentOperation> arguments, IOperation call, FlowState state, KeyResolver resolver, ReportPass pass)
    {
        if (method is null)
        {
            return;
        }

        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter is { } parameter && _symbols.IsRequiresLockParameter(parameter))
            {
                Require(argument.Value, $"'{method.Name}'", "Calling", call, state, resolver, pass, Descriptors.RequiresLockCalledWithoutLock);
            }
        }
    }

    private void Require(IOperation? controller, string member, string verb, IOperation at, FlowState state, KeyResolver resolver, ReportPass pass, DiagnosticDescriptor descriptor)
    {
        if (resolver.Resolve(controller, out bool fresh) is not { } key || fresh || state.Held.Contains(key))
        {
            return; // unknown or fresh objects are left alone; held is fine
        }

        if (pass.Deferred is { } deferred && deferred.HeldAtCreation.Contains(key))
        {
            _report(Diagnostic.Create(Descriptors.MutationMayOutliveScope, at.Syntax.GetLocation(), $"{verb} {member}", deferred.Kind, key.DisplayName));
            return;
        }

        _report(Diagnostic.Create(descriptor, at.Syntax.GetLocation(), FixProperties(key, pass.FixRoot), member.Trim('\''), key.DisplayName));
    }

    /// <summary>What a code fix needs: how to name the controller in code, what it is, and where a lock would cover the code.</summary>
    private static ImmutableDictionary<string, string?> FixProperties(LockKey key, SyntaxNode fixRoot) =>
        ImmutableDictionary<string, string?>.Empty
            .Add(DiagnosticProperties.Controller, key.Symbol is null ? "this" : key.Symbol.Name)
            .Add(DiagnosticProperties.ControllerKind, key.Symbol switch
            {
                null => "this",
                IParameterSymbol => "parameter",
                ILocalSymbol => "local",
                _ => "member",
            })
            .Add(DiagnosticProperties.LockRoot, $"{fixRoot.Span.Start},{fixRoot.Span.Length}");

    /// <summary>What <paramref name="root"/> does to the locks: acquisitions it stores, and releases.</summary>
    private FlowState Effects(IOperation root, FlowState state, KeyResolver resolver, ReportPass? pass)
    {
        foreach (IOperation operation in root.DescendantsAndSelf())
        {
            if (operation is not IInvocationOperation invocation)
            {
                // A pattern variable names what the pattern tested: 'scope is { } s', 'case { } s:'.
                if (operation is IIsPatternOperation matched && resolver.StorageOf(matched.Value) is { } tested && DeclaredLocal(matched.Pattern) is { } variable)
                {
                    state = state.Alias(tested, Storage.Of(variable));
                }

                continue;
            }

            switch (invocation.TargetMethod.Name)
            {
                case "Dispose" or "DisposeAsync" when resolver.StorageOf(invocation.Instance) is { } storage:
                    state = state.Release(storage);
                    break;
                case "UnlockAsync" or "DumpAndUnlockAsync" when _symbols.IsController(invocation.TargetMethod.ContainingType) && invocation.Arguments.Length > 0:
                    IOperation token = KeyResolver.Unwrap(invocation.Arguments[0].Value)!;
                    if (token is IPropertyReferenceOperation { Property.Name: "Token", Instance: { } scope })
                    {
                        token = scope;
                    }

                    // A foreign token releases nothing: the runtime refuses it.
                    if (resolver.StorageOf(token) is { } held
                        && (!state.Open.TryGetValue(held, out Acquisition? origin)
                            || resolver.Resolve(invocation.Instance, out _) is not { } receiver
                            || receiver.Equals(origin.Key)))
                    {
                        state = state.Release(held);
                    }

                    break;
                case "ForceUnlockAsync" when _symbols.IsController(invocation.TargetMethod.ContainingType)
                                              && resolver.Resolve(invocation.Instance, out _) is { } forced:
                    state = state.ReleaseAll(forced);
                    break;
            }
        }

        IOperation? stored = null;
        Storage? storage2 = null;
        if (root is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: ILocalReferenceOperation } assigned })
        {
            root = assigned; // 's = c.Lock();' as a statement, after 'NoDbLockScope s;'
        }

        switch (root)
        {
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                stored = assignment.Value;
                storage2 = Storage.Of(local.Local);
                break;
            case IFlowCaptureOperation capture:
                stored = capture.Value;
                storage2 = Storage.Of(capture.Id);
                break;
            case IExpressionStatementOperation statement:
                stored = statement.Operation;
                break;
            case IIsPatternOperation pattern:
                // 'if (await c.TryLockAsync() is { } scope)': the pattern's variable keeps the scope.
                stored = pattern.Value;
                storage2 = DeclaredLocal(pattern.Pattern) is { } declared ? Storage.Of(declared) : null;
                break;
            default:
                stored = root;
                break;
        }

        if (OperationFacts.Acquisition(stored, _symbols, out AcquisitionKind kind, out bool isAsync) is { } call
            && resolver.Resolve(call.Instance, out _) is { } key)
        {
            var acquisition = new Acquisition(key, kind, call.Syntax.GetLocation(), isAsync);
            if (storage2 is { } where)
            {
                return state.Acquire(where, acquisition);
            }

            if (pass is not null)
            {
                // The scope or token was dropped: nothing can ever release it.
                _report(Diagnostic.Create(Descriptors.NotReleased, acquisition.Location, FixProperties(key, pass.FixRoot), key.DisplayName));
            }

            return kind == AcquisitionKind.TryScope ? state : state.Hold(key);
        }

        // Copies of a scope or token name the same acquisition: 'var b = a;', compiler captures, pattern variables.
        if (storage2 is { } copy && resolver.StorageOf(stored) is { } original)
        {
            state = state.Alias(original, copy);
        }

        return state;
    }

    /// <summary>The variable a pattern assigns its whole input to: <c>{ } s</c>, <c>NoDbLockScope s</c>, <c>not null and var s</c>.</summary>
    private static ILocalSymbol? DeclaredLocal(IPatternOperation pattern) => pattern switch
    {
        IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol local } => local,
        IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol local } => local,
        INegatedPatternOperation negated => DeclaredLocal(negated.Pattern),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both => DeclaredLocal(both.LeftPattern) ?? DeclaredLocal(both.RightPattern),
        _ => null,
    };

    /// <summary>On each side of a null test of a <c>TryLockAsync</c> result: held where it is not null, closed where it is.</summary>
    private static (FlowState WhenTrue, FlowState WhenFalse) Refine(BasicBlock block, FlowState state, KeyResolver resolver)
    {
        if (NullTest(block.BranchValue, resolver) is not ({ } storage, bool nonNullWhenTrue)
            || !state.Open.TryGetValue(storage, out Acquisition? acquisition))
        {
            return (state, state);
        }

        // Where the scope is null there is nothing to release (a lowered 'using' tests before it disposes); where it is
        // not, a TryLockAsync scope is held.
        FlowState nonNull = acquisition.Kind == AcquisitionKind.TryScope ? state.Hold(acquisition.Key) : state;
        FlowState isNull = acquisition.Kind == AcquisitionKind.TryScope ? state.Forget(storage) : state.Release(storage);
        return nonNullWhenTrue ? (nonNull, isNull) : (isNull, nonNull);
    }

    private static (Storage Storage, bool NonNullWhenTrue)? NullTest(IOperation? condition, KeyResolver resolver)
    {
        switch (KeyResolver.Unwrap(condition))
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not when NullTest(not.Operand, resolver) is ({ } s, bool b):
                return (s, !b);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                IOperation? other = IsNull(binary.RightOperand) ? binary.LeftOperand : IsNull(binary.LeftOperand) ? binary.RightOperand : null;
                return other is not null && resolver.StorageOf(other) is { } compared
                    ? (compared, binary.OperatorKind == BinaryOperatorKind.NotEquals)
                    : null;
            case IIsNullOperation isNull when resolver.StorageOf(isNull.Operand) is { } tested:
                return (tested, false);
            case IIsPatternOperation pattern when (resolver.StorageOf(pattern.Value) ?? (DeclaredLocal(pattern.Pattern) is { } declared ? Storage.Of(declared) : null)) is { } matched:
                return PatternNonNull(pattern.Pattern) is bool nonNull ? (matched, nonNull) : null;
            default:
                return null;
        }

        static bool IsNull(IOperation operand) => KeyResolver.Unwrap(operand) is ILiteralOperation { ConstantValue: { HasValue: true, Value: null } };
    }

    private static bool? PatternNonNull(IPatternOperation pattern) => pattern switch
    {
        IConstantPatternOperation { Value: var value } when KeyResolver.Unwrap(value) is ILiteralOperation { ConstantValue: { HasValue: true, Value: null } } => false,
        INegatedPatternOperation negated => PatternNonNull(negated.Pattern) is bool inner ? !inner : null,
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both => (PatternNonNull(both.LeftPattern), PatternNonNull(both.RightPattern)) switch
        {
            (true, _) or (_, true) => true,
            (false, _) or (_, false) => false,
            _ => null,
        },
        IRecursivePatternOperation or ITypePatternOperation or IDeclarationPatternOperation { MatchesNull: false } => true,
        _ => null,
    };

    private (IFlowAnonymousFunctionOperation, ImmutableHashSet<LockKey>, DeferredContext?) LambdaContext(
        IFlowAnonymousFunctionOperation lambda, FlowState state, KeyResolver resolver)
    {
        IOperation? parent = lambda.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }

        if (parent is IArgumentOperation { Parent: IInvocationOperation invocation })
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (_symbols.IsController(method.ContainingType) && method.Name is "UpdateAsync" or "Create" or "CreateAsync")
            {
                ImmutableHashSet<LockKey> held = state.Held;
                if (lambda.Symbol.Parameters.Length > 0)
                {
                    held = held.Add(LockKey.Of(lambda.Symbol.Parameters[0]));
                }

                if (method.Name == "UpdateAsync" && resolver.Resolve(invocation.Instance, out _) is { } receiver)
                {
                    held = held.Add(receiver);
                }

                return (lambda, held, null);
            }

            if (RunsBeforeReturning(invocation))
            {
                return (lambda, state.Held, null);
            }
        }

        return (lambda, ImmutableHashSet<LockKey>.Empty, new DeferredContext("lambda", state.Held));
    }

    /// <summary>Calls that run their delegate before they return (or whose task is awaited at once).</summary>
    private static bool RunsBeforeReturning(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        string type = method.ContainingType.ToDisplayString();
        if (type == "System.Linq.Enumerable")
        {
            return EagerLinq.Contains(method.Name);
        }

        if (method.Name == "ForEach" && type.StartsWith("System.Collections.Generic.List<", StringComparison.Ordinal) || type == "System.Array")
        {
            return true;
        }

        if (type == "System.Threading.Tasks.Parallel")
        {
            return true;
        }

        if (type is "System.Threading.Tasks.Task" or "System.Threading.Tasks.TaskFactory" && method.Name is "Run" or "StartNew")
        {
            IOperation? parent = invocation.Parent;
            while (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } or IConversionOperation)
            {
                parent = parent.Parent;
            }

            return parent is IAwaitOperation;
        }

        return false;
    }

    /// <summary>Scopes and tokens that leave the method (returned, stored, passed on): their release is someone else's.</summary>
    private static ImmutableHashSet<Storage> Escapes(ControlFlowGraph graph, KeyResolver resolver)
    {
        var escaped = ImmutableHashSet.CreateBuilder<Storage>();
        foreach (BasicBlock block in graph.Blocks)
        {
            if (block.BranchValue is { } branch && resolver.StorageOf(branch) is { } returned)
            {
                escaped.Add(returned);
            }

            foreach (IOperation operation in KeyResolver.Roots(block).SelectMany(r => r.DescendantsAndSelf()))
            {
                if (operation is not ILocalReferenceOperation reference)
                {
                    continue;
                }

                IOperation? use = operation.Parent;
                while (use is IConversionOperation or IParenthesizedOperation)
                {
                    use = use.Parent;
                }

                bool stays = use switch
                {
                    ISimpleAssignmentOperation assignment when assignment.Target == reference => true,
                    IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" } => true,
                    IPropertyReferenceOperation { Property.Name: "Token" or "LockLost" } => true,
                    IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "UnlockAsync" or "DumpAsync" or "DumpAndUnlockAsync" } } => true,
                    IBinaryOperation or IIsPatternOperation or IIsNullOperation or IFlowCaptureOperation => true,
                    IAwaitOperation => true,
                    _ => false,
                };

                if (!stays)
                {
                    escaped.Add(Storage.Of(reference.Local));
                }
            }
        }

        return escaped.ToImmutable();
    }

    private sealed class ReportPass
    {
        public ReportPass(DeferredContext? deferred, SyntaxNode fixRoot)
        {
            Deferred = deferred;
            FixRoot = fixRoot;
        }

        public DeferredContext? Deferred { get; }

        public SyntaxNode FixRoot { get; }

        public List<(IFlowAnonymousFunctionOperation, ImmutableHashSet<LockKey>, DeferredContext?)> Lambdas { get; } = [];

        public Dictionary<IMethodSymbol, ImmutableHashSet<LockKey>> LocalFunctionCalls { get; } = new(SymbolEqualityComparer.Default);

        public HashSet<IMethodSymbol> LocalFunctionsAsDelegates { get; } = new(SymbolEqualityComparer.Default);

        public Dictionary<IMethodSymbol, ImmutableHashSet<LockKey>> HeldAtDelegate { get; } = new(SymbolEqualityComparer.Default);
    }
}
