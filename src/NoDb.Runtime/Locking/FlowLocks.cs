namespace NoDb.Locking;

/// <summary>
/// Which locks the current async flow holds or is acquiring, so that asking again fails at once with
/// <see cref="NoDbLockRecursionException"/> instead of deadlocking.
/// </summary>
/// <remarks>
/// The list lives in an <see cref="AsyncLocal{T}"/> and is pushed by the synchronous entry points
/// (<c>LockAsync</c> is not itself an async method), so it is visible to the caller after the await. Flows started
/// from inside a scope inherit it: a <c>Task.Run</c> that locks the same controller while its parent holds it would
/// deadlock the parent that awaits it, so it fails too. Nodes are immutable and shared between flows; the mutable
/// part is the <see cref="FlowLockMark"/>, released when the scope ends.
/// </remarks>
internal static class FlowLocks
{
    private static readonly AsyncLocal<Node?> Top = new();

    /// <summary>Records that this flow is acquiring <paramref name="target"/>; throws if it already holds or awaits it.</summary>
    public static FlowLockMark Enter(LockTarget target)
    {
        Node? top = Top.Value;
        for (Node? node = top; node is not null; node = node.Next)
        {
            if (node.Mark.IsActive && string.Equals(node.Mark.Key, target.DocumentPath, StringComparison.Ordinal))
            {
                throw new NoDbLockRecursionException(target.DocumentPath);
            }
        }

        var mark = new FlowLockMark(target.DocumentPath);
        Top.Value = new Node(mark, WithoutReleased(top));
        return mark;
    }

    private static Node? WithoutReleased(Node? node)
    {
        if (node is null)
        {
            return null;
        }

        Node? rest = WithoutReleased(node.Next);
        if (!node.Mark.IsActive)
        {
            return rest;
        }

        return ReferenceEquals(rest, node.Next) ? node : new Node(node.Mark, rest);
    }

    private sealed record Node(FlowLockMark Mark, Node? Next);
}

/// <summary>One acquisition as seen by the flow that made it: active until its scope or token is released.</summary>
internal sealed class FlowLockMark(string key)
{
    private volatile bool _released;

    public string Key { get; } = key;

    public bool IsActive => !_released;

    public void Release() => _released = true;
}
