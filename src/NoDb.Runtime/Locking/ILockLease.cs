namespace NoDb.Locking;

/// <summary>A held lock: its fencing number, the signal that it was lost, and the fenced write.</summary>
internal interface ILockLease
{
    LockTarget Target { get; }

    /// <summary>The number given to this acquisition; every later acquisition of the target gets a larger one.</summary>
    long FencingNumber { get; }

    /// <summary>Cancelled when the lease is lost: cleared, forced open, or taken by a newer holder.</summary>
    CancellationToken Lost { get; }

    /// <summary>Why the lease was lost, or <see langword="null"/> while it is held.</summary>
    string? LostReason { get; }

    /// <summary>
    /// Runs <paramref name="write"/> only while this lease is still the current holder, under the document's fence lock of
    /// <paramref name="run"/>, so that no newer holder can commit in between. The outcome is decided once, there: if this
    /// returns, <paramref name="write"/> ran to its end; if it throws, <paramref name="write"/> either never ran
    /// (<see cref="NoDbLockLostException"/>, a timeout) or threw itself, and a loss noticed meanwhile by a background check
    /// never turns a completed write into an error.
    /// </summary>
    ValueTask CommitFencedAsync(NoDb.Storage.RunDirectory run, Action write, FileLocks.FenceWait wait);

    /// <summary>Gives the lock back. Idempotent. Does not wait for a server; see <see cref="ReleaseAsync"/>.</summary>
    void Release();

    /// <summary>
    /// Gives the lock back and completes once the backend has it (Redis: the release's reply arrived), so that a process
    /// that exits right after leaves no lease behind. Idempotent; never throws for an unreachable server (the lease then
    /// runs out by itself).
    /// </summary>
    ValueTask ReleaseAsync();
}
