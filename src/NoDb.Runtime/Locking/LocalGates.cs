using System.Collections.Concurrent;

namespace NoDb.Locking;

/// <summary>
/// One first-in, first-out gate per document in this process: tasks of one process queue here, and only the one at
/// the head talks to the backend, so a crowd of local waiters costs one OS lock or one Redis waiter.
/// </summary>
internal static class LocalGates
{
    private static readonly ConcurrentDictionary<string, LocalGate> Gates = new(StringComparer.Ordinal);

    public static LocalGate For(LockTarget target) =>
        Gates.GetOrAdd(target.DocumentPath, static _ => new LocalGate());
}
