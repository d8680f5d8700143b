namespace NoDb.Infrastructure;

/// <summary>
/// The one bridge from a protocol written once, asynchronously, to the synchronous APIs (<c>Lock()</c>, <c>Dispose()</c>).
/// Run with <c>synchronous: true</c>, such a protocol blocks its own thread where it would wait and returns a completed task,
/// so nothing here waits on another thread's work in the common case.
/// </summary>
internal static class SyncViaAsync
{
    public static T Run<T>(ValueTask<T> operation) =>
        operation.IsCompleted ? operation.GetAwaiter().GetResult() : operation.AsTask().GetAwaiter().GetResult();

    public static void Run(ValueTask operation)
    {
        if (operation.IsCompleted)
        {
            operation.GetAwaiter().GetResult();
        }
        else
        {
            operation.AsTask().GetAwaiter().GetResult();
        }
    }
}
