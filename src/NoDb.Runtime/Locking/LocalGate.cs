namespace NoDb.Locking;

/// <summary>The in-process, first-in, first-out gate of one document: a one-slot semaphore that counts its waiters.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim only needs disposing once its AvailableWaitHandle was used, which it never is.")]
internal sealed class LocalGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private int _waiting;

    /// <summary>How many flows are queued at the gate now (for diagnostics and tests).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public bool TryEnter() => _semaphore.Wait(0, CancellationToken.None);

    /// <summary>Waits for the gate; <paramref name="synchronous"/> callers (<c>Lock()</c>) block their own thread instead of awaiting.</summary>
    public async ValueTask<bool> EnterAsync(TimeSpan timeout, bool synchronous, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return synchronous
                ? _semaphore.Wait(timeout, cancellationToken)
                : await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _semaphore.Release();
}
