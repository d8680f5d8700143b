namespace NoDb.Locking;

/// <summary>
/// What every lease keeps alike: the <see cref="Lost"/> signal and why, and a release that happens once. A backend says what
/// losing and releasing mean for it (hand an OS lock back, stop a renewal timer, tell Redis).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The CancellationTokenSource outlives the lease because its token is handed out, and owns no timer.")]
internal abstract class LeaseBase : ILockLease
{
    private readonly object _sync = new();
    private readonly CancellationTokenSource _lost = new();
    private volatile string? _lostReason;
    private bool _released;

    protected LeaseBase(LockTarget target, long fencingNumber)
    {
        Target = target;
        FencingNumber = fencingNumber;
    }

    public LockTarget Target { get; }

    public long FencingNumber { get; }

    public CancellationToken Lost => _lost.Token;

    public string? LostReason => _lostReason;

    public abstract ValueTask CommitFencedAsync(NoDb.Storage.RunDirectory run, Action write, FileLocks.FenceWait wait);

    /// <summary>Records that the lease is lost and fires <see cref="Lost"/>; the first reason wins. Nothing after a release.</summary>
    public void MarkLost(string reason)
    {
        lock (_sync)
        {
            if (_released || _lostReason is not null)
            {
                return;
            }

            _lostReason = reason;
        }

        NoDb.Diagnostics.NoDbTelemetry.Lost(this, reason);

        OnLost();
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException)
        {
            // A LockLost callback of the user's threw. It must not stop the loss from being recorded (nor, from a
            // background check, crash the process); the lease is lost either way.
        }
    }

    public void Release()
    {
        if (BeginRelease())
        {
            OnReleased();
        }
    }

    /// <summary>Records the loss (if it is the first) and returns the exception that reports it: nothing was written.</summary>
    protected NoDbLockLostException LostNow(string reason)
    {
        MarkLost(reason);
        return new NoDbLockLostException(Target.DocumentPath, FencingNumber, _lostReason ?? reason);
    }

    public ValueTask ReleaseAsync() => BeginRelease() ? OnReleasedAsync() : default;

    protected void ThrowIfLost()
    {
        if (_lostReason is { } reason)
        {
            throw new NoDbLockLostException(Target.DocumentPath, FencingNumber, reason);
        }
    }

    /// <summary>The lease was lost while held: stop renewing, and hand back what others wait for.</summary>
    protected abstract void OnLost();

    /// <summary>The holder released: give the lock back.</summary>
    protected abstract void OnReleased();

    /// <summary>The holder released and waits until the lock is given back; by default, <see cref="OnReleased"/>.</summary>
    protected virtual ValueTask OnReleasedAsync()
    {
        OnReleased();
        return default;
    }

    private bool BeginRelease()
    {
        lock (_sync)
        {
            if (_released)
            {
                return false;
            }

            _released = true;
            return true;
        }
    }
}
