namespace NoDb.Locking;

/// <summary>
/// Where locks live across processes: OS file locks on one machine, or Redis across machines. A backend
/// is called by at most one flow per target at a time in a process (the document's <see cref="LocalGate"/> queues the rest).
/// </summary>
internal interface ILockBackend
{
    /// <summary>Takes the lock if it is free now; <see langword="null"/> if another holder has it.</summary>
    ValueTask<ILockLease?> TryAcquireAsync(LockTarget target, CancellationToken cancellationToken);

    /// <summary>Waits for the lock up to <paramref name="timeout"/>; throws <see cref="LockWaitTimeoutException"/> when it runs out.</summary>
    ValueTask<ILockLease> AcquireAsync(LockTarget target, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The blocking form of <see cref="AcquireAsync"/>, for the synchronous <c>Lock()</c>.</summary>
    ILockLease Acquire(LockTarget target, TimeSpan timeout);

    /// <summary>Whether any holder, here or elsewhere, has the lock now.</summary>
    ValueTask<bool> IsLockedAsync(LockTarget target, CancellationToken cancellationToken);

    /// <summary>Takes the lock away from whoever holds it: the holder is fenced out and told it lost the lock.</summary>
    ValueTask ForceUnlockAsync(LockTarget target, CancellationToken cancellationToken);

    /// <summary>Who holds the controller locks of one working directory now.</summary>
    ValueTask<IReadOnlyList<NoDbLockHolder>> GetHoldersAsync(string workingDirectory, CancellationToken cancellationToken);

    /// <summary>Force-unlocks every controller lock of one working directory, and no other.</summary>
    /// <remarks>Never stops halfway: what it cannot clear is reported in the outcome, and the rest is cleared.</remarks>
    ValueTask<ClearOutcome> ClearLocksAsync(string workingDirectory, CancellationToken cancellationToken);
}
