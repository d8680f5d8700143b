namespace NoDb.Locking;

/// <summary>The in-process, first-in, first-out gate of one document: a one-slot semaphore that counts its waiters.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Gates live as long as the process; a SemaphoreSlim only needs disposing once its AvailableWaitHandle was used, which it never is.")]
internal sealed class LocalGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private int _waiting;

    /// <summary>How many flows are queued at the gate now (for diagnostics and tests).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public bool TryEnter() => _semaphore.Wait(0, CancellationToken.None);

    public bool Enter(TimeSpan timeout)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return _semaphore.Wait(timeout);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public async ValueTask<bool> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _semaphore.Release();
}
