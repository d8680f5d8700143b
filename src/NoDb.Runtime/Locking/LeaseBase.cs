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

    /// <summary>What kind of loss ended the lease, once <see cref="LostReason"/> is set.</summary>
    public LeaseLoss? LostAs { get; private set; }

    public abstract ValueTask CommitFencedAsync(NoDb.Storage.RunDirectory run, Action write, FileLocks.FenceWait wait);

    /// <summary>Records that the lease is lost and fires <see cref="Lost"/>; the first reason wins. Nothing after a release.</summary>
    /// <param name="loss">What kind of loss (the metric's reason).</param>
    /// <param name="reason">The sentence that says what happened, for exceptions and logs.</param>
    public void MarkLost(LeaseLoss loss, string reason) => MarkLost(loss, reason, stillDue: null);

    /// <summary>
    /// Records the loss only if <paramref name="stillDue"/> still holds under the lease's lock: a deadline check whose
    /// reading a confirmation has since overtaken does not end the lease.
    /// </summary>
    protected void MarkLost(LeaseLoss loss, string reason, Func<bool>? stillDue)
    {
        lock (_sync)
        {
            if (_released || _lostReason is not null || (stillDue is not null && !stillDue()))
            {
                return;
            }

            _lostReason = reason;
            LostAs = loss;
        }

        NoDb.Diagnostics.NoDbTelemetry.Lost(this, loss);

        OnLost();
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException e)
        {
            // A LockLost callback of the user's threw. It must not stop the loss from being recorded (nor, from a
            // background check, crash the process); the lease is lost either way.
            NoDb.Diagnostics.NoDbLog.LockLostCallbackFailed(Logger, Target.DocumentPath, e.InnerExceptions.Count == 1 ? e.InnerExceptions[0] : e);
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
    protected NoDbLockLostException LostNow(LeaseLoss loss, string reason)
    {
        MarkLost(loss, reason);
        return new NoDbLockLostException(Target.DocumentPath, FencingNumber, _lostReason ?? reason);
    }

    /// <summary>
    /// Gives the lock back and waits until it is; a lease already lost was given back when it was lost, so its release does
    /// not wait (Redis may be the reason it was lost).
    /// </summary>
    public ValueTask ReleaseAsync()
    {
        if (!BeginRelease())
        {
            return default;
        }

        if (_lostReason is not null)
        {
            OnReleased();
            return default;
        }

        return OnReleasedAsync();
    }

    protected void ThrowIfLost()
    {
        if (_lostReason is { } reason)
        {
            throw new NoDbLockLostException(Target.DocumentPath, FencingNumber, reason);
        }
    }

    /// <summary>The engine's <c>NoDb</c> logger.</summary>
    protected abstract Microsoft.Extensions.Logging.ILogger Logger { get; }

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
