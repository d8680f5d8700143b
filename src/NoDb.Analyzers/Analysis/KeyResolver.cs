using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace NoDb.Analyzers.Analysis;

/// <summary>
/// Turns a receiver expression into the controller's <see cref="LockKey"/>. A local assigned once from another known
/// controller is an alias of it; a local assigned from <c>new</c> is a fresh object (exempt, as in Error Prone);
/// anything else is unknown, and unknown means quiet.
/// </summary>
internal sealed class KeyResolver
{
    private readonly KeyResolver? _outer;
    private readonly Dictionary<ILocalSymbol, IOperation?> _assignments = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<CaptureId, IOperation> _captures = new();

    public KeyResolver(ControlFlowGraph graph, KeyResolver? outer)
    {
        _outer = outer;
        foreach (BasicBlock block in graph.Blocks)
        {
            foreach (IOperation root in Roots(block))
            {
                foreach (IOperation operation in root.DescendantsAndSelf())
                {
                    switch (operation)
                    {
                        case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                            // A local assigned more than once has no single origin.
                            _assignments[local.Local] = _assignments.ContainsKey(local.Local) ? null : assignment.Value;
                            break;
                        case IFlowCaptureOperation capture:
                            _captures[capture.Id] = capture.Value;
                            break;
                    }
                }
            }
        }
    }

    public static IEnumerable<IOperation> Roots(BasicBlock block)
    {
        foreach (IOperation operation in block.Operations)
        {
            yield return operation;
        }

        if (block.BranchValue is not null)
        {
            yield return block.BranchValue;
        }
    }

    public static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation switch
            {
                IConversionOperation conversion => conversion.Operand,
                IParenthesizedOperation parenthesized => parenthesized.Operand,
                _ => operation,
            };
        }

        return operation;
    }

    /// <summary>The controller's key, or <see langword="null"/> if unknown. <paramref name="fresh"/> is set for new objects.</summary>
    public LockKey? Resolve(IOperation? receiver, out bool fresh)
    {
        fresh = false;
        receiver = Unwrap(receiver);
        switch (receiver)
        {
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                return LockKey.This;
            case IInstanceReferenceOperation:
                fresh = true; // the object of an object initializer
                return null;
            case IObjectCreationOperation:
                fresh = true;
                return null;
            case ILocalReferenceOperation local:
                if (Assignment(local.Local) is { } origin)
                {
                    IOperation? value = Unwrap(origin);
                    if (value is IObjectCreationOperation)
                    {
                        fresh = true;
                        return null;
                    }

                    if (value is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IInstanceReferenceOperation
                        && Resolve(value, out _) is { } aliased)
                    {
                        return aliased;
                    }
                }

                return LockKey.Of(local.Local);
            case IParameterReferenceOperation parameter:
                return LockKey.Of(parameter.Parameter);
            case IFieldReferenceOperation field when IsThisOrStatic(field.Instance):
                return LockKey.Of(field.Field);
            case IPropertyReferenceOperation property when !property.Property.IsIndexer && IsThisOrStatic(property.Instance):
                return LockKey.Of(property.Property);
            case IFlowCaptureReferenceOperation capture when Capture(capture.Id) is { } captured:
                return Resolve(captured, out fresh);
            default:
                return null;
        }
    }

    /// <summary>Where a scope or token reference is kept, looking through compiler captures of locals.</summary>
    public Storage? StorageOf(IOperation? reference)
    {
        reference = Unwrap(reference);
        return reference switch
        {
            ILocalReferenceOperation local => Storage.Of(local.Local),
            IFlowCaptureReferenceOperation capture when Unwrap(Capture(capture.Id)) is ILocalReferenceOperation local => Storage.Of(local.Local),
            IFlowCaptureReferenceOperation capture => Storage.Of(capture.Id),
            _ => null,
        };
    }

    /// <summary>The captured expression behind a compiler capture (<c>x.P ??= v</c> writes through one), or the operation itself.</summary>
    public IOperation ThroughCapture(IOperation operation) =>
        KeyResolver.Unwrap(operation) is IFlowCaptureReferenceOperation reference && Capture(reference.Id) is { } captured
            ? captured
            : operation;

    private IOperation? Assignment(ILocalSymbol local) =>
        _assignments.TryGetValue(local, out IOperation? value) ? value : _outer?.Assignment(local);

    private IOperation? Capture(CaptureId id) =>
        _captures.TryGetValue(id, out IOperation? value) ? value : _outer?.Capture(id);

    private static bool IsThisOrStatic(IOperation? instance) =>
        instance is null || Unwrap(instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
}
