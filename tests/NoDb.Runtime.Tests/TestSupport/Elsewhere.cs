namespace NoDb.Runtime.Tests.TestSupport;

/// <summary>
/// Runs work in a separate async flow, as another request of a web worker would: it does not inherit the locks the
/// calling flow holds (a plain Task.Run does, and locking again there is recursion).
/// </summary>
internal static class Elsewhere
{
    public static Task<T> Run<T>(Func<Task<T>> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }

    public static Task Run(Func<Task> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }
}
