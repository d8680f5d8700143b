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

    /// <summary>
    /// Waits up to <paramref name="timeout"/>, on <paramref name="time"/>'s clock, for the gate; <paramref name="synchronous"/>
    /// callers (<c>Lock()</c>) block their own thread instead of awaiting.
    /// </summary>
    public async ValueTask<bool> EnterAsync(TimeSpan timeout, TimeProvider time, bool synchronous, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            if (ReferenceEquals(time, TimeProvider.System) || timeout == Timeout.InfiniteTimeSpan || timeout == TimeSpan.Zero)
            {
                return synchronous
                    ? _semaphore.Wait(timeout, cancellationToken)
                    : await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return _semaphore.Wait(0, CancellationToken.None) || await EnterOnClockAsync(timeout, time, synchronous, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _semaphore.Release();

    /// <summary>A wait whose timeout runs on another clock than the system's (a test's fake one): a timer of that clock ends it.</summary>
    private async ValueTask<bool> EnterOnClockAsync(TimeSpan timeout, TimeProvider time, bool synchronous, CancellationToken cancellationToken)
    {
        using var expiry = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(expiry.Token, cancellationToken);
        try
        {
            if (synchronous)
            {
                _semaphore.Wait(linked.Token);
            }
            else
            {
                await _semaphore.WaitAsync(linked.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
