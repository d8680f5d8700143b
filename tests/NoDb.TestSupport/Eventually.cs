namespace NoDb.TestSupport;

/// <summary>Awaits a condition that another thread makes true, yielding between looks, and fails after a bound.</summary>
public static class Eventually
{
    public static Task True(Func<bool> condition) => True(() => Task.FromResult(condition()));

    public static async Task True(Func<Task<bool>> condition)
    {
        using var bound = new CancellationTokenSource(TestTimeouts.Patience);
        while (!await condition())
        {
            if (bound.IsCancellationRequested)
            {
                throw new TimeoutException("The condition did not become true in time.");
            }

            await Task.Yield();
        }
    }
}
