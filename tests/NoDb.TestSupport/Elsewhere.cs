using NoDb.Engine;

namespace NoDb.TestSupport;

/// <summary>
/// Runs work in a separate async flow, as another request of a web worker would: it does not inherit the locks the
/// calling flow holds (a plain Task.Run does, and locking again there is recursion). It is another request of the same
/// process, so it uses the NoDb engine the calling flow uses (the backend a test is bound to, else the process-wide one):
/// suppressing the flow would otherwise drop that binding too.
/// </summary>
public static class Elsewhere
{
    public static Task<T> Run<T>(Func<Task<T>> work)
    {
        NoDbEngine engine = NoDbRuntime.Engine;
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(async () =>
            {
                using (NoDbRuntime.Bind(engine))
                {
                    return await work();
                }
            });
        }
    }

    public static Task Run(Func<Task> work)
    {
        NoDbEngine engine = NoDbRuntime.Engine;
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(async () =>
            {
                using (NoDbRuntime.Bind(engine))
                {
                    await work();
                }
            });
        }
    }
}
