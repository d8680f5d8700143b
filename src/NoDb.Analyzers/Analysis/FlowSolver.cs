using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace NoDb.Analyzers.Analysis;

/// <summary>
/// A forward dataflow over a <see cref="ControlFlowGraph"/> to a fixed point. Branches run the finally regions they
/// leave (that is where a lowered <c>using</c> disposes); a catch region starts from what holds everywhere in its try.
/// </summary>
internal sealed class FlowSolver
{
    private readonly ControlFlowGraph _graph;
    private readonly Func<BasicBlock, FlowState, FlowState> _transfer;
    private readonly Func<BasicBlock, FlowState, (FlowState WhenTrue, FlowState WhenFalse)> _refine;
    private readonly FlowState?[] _entry;

    public FlowSolver(
        ControlFlowGraph graph,
        Func<BasicBlock, FlowState, FlowState> transfer,
        Func<BasicBlock, FlowState, (FlowState WhenTrue, FlowState WhenFalse)> refine)
    {
        _graph = graph;
        _transfer = transfer;
        _refine = refine;
        _entry = new FlowState?[graph.Blocks.Length];
    }

    /// <summary>The state on entry to each block; <see langword="null"/> for blocks never reached.</summary>
    public FlowState?[] Solve(FlowState initial)
    {
        _entry[0] = initial;
        var work = new Queue<int>();
        work.Enqueue(0);
        bool changed = true;
        while (changed)
        {
            Run(_entry, work, within: null, outputs: null);
            changed = SeedCatchRegions(_graph.Root, work);
        }

        return _entry;
    }

    private void Run(FlowState?[] entry, Queue<int> work, ControlFlowRegion? within, List<FlowState>? outputs)
    {
        while (work.Count > 0)
        {
            int ordinal = work.Dequeue();
            BasicBlock block = _graph.Blocks[ordinal];
            if (entry[ordinal] is not { } state)
            {
                continue;
            }

            FlowState after = _transfer(block, state);
            if (block.ConditionalSuccessor is { } conditional)
            {
                (FlowState whenTrue, FlowState whenFalse) = _refine(block, after);
                bool jumpsWhenTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                Follow(entry, conditional, jumpsWhenTrue ? whenTrue : whenFalse, work, within, outputs);
                Follow(entry, block.FallThroughSuccessor, jumpsWhenTrue ? whenFalse : whenTrue, work, within, outputs);
            }
            else
            {
                Follow(entry, block.FallThroughSuccessor, after, work, within, outputs);
            }
        }
    }

    private void Follow(FlowState?[] entry, ControlFlowBranch? branch, FlowState state, Queue<int> work, ControlFlowRegion? within, List<FlowState>? outputs)
    {
        if (branch is null)
        {
            return;
        }

        foreach (ControlFlowRegion @finally in branch.FinallyRegions)
        {
            state = RunFinally(@finally, state);
        }

        if (branch.Destination is { } destination && (within is null || Contains(within, destination.Ordinal)))
        {
            Merge(entry, destination.Ordinal, state, work);
        }
        else if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
        {
            outputs?.Add(state);
        }
    }

    /// <summary>Runs a finally region from one branch's state, with states of its own, and returns the state after it.</summary>
    private FlowState RunFinally(ControlFlowRegion region, FlowState input)
    {
        var local = new FlowState?[_graph.Blocks.Length];
        var outputs = new List<FlowState>();
        var work = new Queue<int>();
        Merge(local, region.FirstBlockOrdinal, input, work);
        Run(local, work, region, outputs);

        // Blocks of a finally region have no ordinary predecessor: what is reported inside them is the join of every run.
        for (int i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
        {
            if (local[i] is { } state)
            {
                _entry[i] = _entry[i] is { } old ? FlowState.Join(old, state) : state;
            }
        }

        return outputs.Count == 0 ? input : outputs.Aggregate(FlowState.Join);
    }

    private bool SeedCatchRegions(ControlFlowRegion region, Queue<int> work)
    {
        bool changed = false;
        if (region.Kind == ControlFlowRegionKind.TryAndCatch && region.NestedRegions.Length > 1)
        {
            ControlFlowRegion @try = region.NestedRegions[0];
            FlowState? anywhereInTry = null;
            for (int i = @try.FirstBlockOrdinal; i <= @try.LastBlockOrdinal; i++)
            {
                if (_entry[i] is { } state)
                {
                    anywhereInTry = anywhereInTry is null ? state : FlowState.Join(anywhereInTry, state);
                }
            }

            if (anywhereInTry is not null)
            {
                // Held: what holds everywhere in the try. Open: only what was open before it; scopes taken inside the try
                // are released by their own finally before the handler runs.
                FlowState beforeTry = _entry[@try.FirstBlockOrdinal] ?? anywhereInTry;
                var handlerEntry = new FlowState(anywhereInTry.Held, beforeTry.Open);
                foreach (ControlFlowRegion handler in region.NestedRegions.Skip(1))
                {
                    changed |= Merge(_entry, handler.FirstBlockOrdinal, handlerEntry, work);
                }
            }
        }

        foreach (ControlFlowRegion nested in region.NestedRegions)
        {
            changed |= SeedCatchRegions(nested, work);
        }

        if (changed)
        {
            Run(_entry, work, within: null, outputs: null);
        }

        return changed;
    }

    private static bool Merge(FlowState?[] entry, int ordinal, FlowState state, Queue<int> work)
    {
        FlowState? old = entry[ordinal];
        FlowState merged = old is null ? state : FlowState.Join(old, state);
        if (old is not null && merged.SameAs(old))
        {
            return false;
        }

        entry[ordinal] = merged;
        if (!work.Contains(ordinal))
        {
            work.Enqueue(ordinal);
        }

        return true;
    }

    private static bool Contains(ControlFlowRegion region, int ordinal) =>
        ordinal >= region.FirstBlockOrdinal && ordinal <= region.LastBlockOrdinal;
}
