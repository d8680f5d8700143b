using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace NoDb.Analyzers.Analysis;

/// <summary>Recognises the operations the analysis cares about: taking, releasing, and writing.</summary>
internal static class OperationFacts
{
    /// <summary>Methods that change the collection (or other object) they are called on.</summary>
    public static readonly ImmutableHashSet<string> DefaultMutators = ImmutableHashSet.Create(
        "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "RemoveWhere", "Clear",
        "Sort", "Reverse", "Push", "Pop", "Enqueue", "Dequeue", "TryAdd", "TryRemove", "TryPop", "TryDequeue", "TryUpdate",
        "AddOrUpdate", "GetOrAdd", "UnionWith", "IntersectWith", "ExceptWith", "SymmetricExceptWith", "Set", "SetAll",
        "CopyFrom", "Fill", "Resize", "TrimExcess", "EnsureCapacity");

    /// <summary>If <paramref name="value"/> (the stored value) is a lock acquisition, the call.</summary>
    public static IInvocationOperation? Acquisition(IOperation? value, NoDbSymbols symbols, out AcquisitionKind kind, out bool isAsync)
    {
        kind = default;
        isAsync = false;
        IInvocationOperation? call = Call(value);
        if (call is null || call.Instance is null || !symbols.IsController(call.TargetMethod.ContainingType))
        {
            return null;
        }

        switch (call.TargetMethod.Name)
        {
            case Shared.GeneratedMemberNames.Lock: kind = AcquisitionKind.Scope; return call;
            case Shared.GeneratedMemberNames.LockAsync: kind = AcquisitionKind.Scope; isAsync = true; return call;
            case Shared.GeneratedMemberNames.TryLockAsync: kind = AcquisitionKind.TryScope; isAsync = true; return call;
            case Shared.GeneratedMemberNames.AcquireLockAsync: kind = AcquisitionKind.Token; isAsync = true; return call;
            default: return null;
        }
    }

    /// <summary>The invocation inside awaits, conversions and <c>ConfigureAwait</c>.</summary>
    public static IInvocationOperation? Call(IOperation? value)
    {
        while (true)
        {
            value = KeyResolver.Unwrap(value);
            switch (value)
            {
                case IAwaitOperation awaited:
                    value = awaited.Operation;
                    continue;
                case IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } inner }:
                    value = inner;
                    continue;
                case IInvocationOperation invocation:
                    return invocation;
                default:
                    return null;
            }
        }
    }

    /// <summary>The places <paramref name="operation"/> itself writes (not its children).</summary>
    public static IEnumerable<IOperation> WriteTargets(IOperation operation, ImmutableHashSet<string> mutators)
    {
        switch (operation)
        {
            case IAssignmentOperation assignment and not IDeconstructionAssignmentOperation:
                yield return assignment.Target;
                break;
            case IDeconstructionAssignmentOperation deconstruction:
                foreach (IOperation element in TupleElements(deconstruction.Target))
                {
                    yield return element;
                }

                break;
            case IIncrementOrDecrementOperation increment:
                yield return increment.Target;
                break;
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                yield return argument.Value;
                break;
            case IInvocationOperation { Instance: { } instance } invocation when mutators.Contains(invocation.TargetMethod.Name):
                yield return instance;
                break;
        }
    }

    /// <summary>
    /// The persisted member that a write to <paramref name="target"/> changes, and the controller it belongs to: walks
    /// <c>c.Settings.Mode</c>, <c>c.Years[0]</c> and <c>c.Years</c> down to the persisted member of a controller.
    /// </summary>
    public static (ISymbol Member, IOperation? Controller)? PersistedMember(IOperation target, NoDbSymbols symbols)
    {
        IOperation? current = KeyResolver.Unwrap(target);
        while (current is not null)
        {
            switch (current)
            {
                case IFieldReferenceOperation field when symbols.IsPersisted(field.Field):
                    return (field.Field, field.Instance);
                case IPropertyReferenceOperation property when symbols.IsPersisted(property.Property):
                    return (property.Property, property.Instance);
                case IMemberReferenceOperation member:
                    current = KeyResolver.Unwrap(member.Instance);
                    break;
                case IArrayElementReferenceOperation element:
                    current = KeyResolver.Unwrap(element.ArrayReference);
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    private static IEnumerable<IOperation> TupleElements(IOperation target)
    {
        if (KeyResolver.Unwrap(target) is ITupleOperation tuple)
        {
            foreach (IOperation element in tuple.Elements)
            {
                foreach (IOperation inner in TupleElements(element))
                {
                    yield return inner;
                }
            }
        }
        else if (target is IDeclarationExpressionOperation)
        {
            yield break;
        }
        else
        {
            yield return target;
        }
    }
}
