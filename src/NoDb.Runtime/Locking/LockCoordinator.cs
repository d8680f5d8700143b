using System.Collections.Concurrent;
using System.Diagnostics;
using NoDb.Diagnostics;
using NoDb.Engine;
using NoDb.Infrastructure;

namespace NoDb.Locking;

/// <summary>
/// Acquires controller locks in three layers: this flow must not hold the lock already (<see cref="FlowLocks"/>), then
/// the process's first-in, first-out gate for the document (one per document, shared while anyone uses it), then the
/// engine's lock provider across processes. After that the instance is brought up to date with the document on disk.
/// One protocol for every entry point: waiting or trying, asynchronous or (for <c>Lock()</c>) blocking its own thread.
/// </summary>
internal sealed class LockCoordinator(NoDbEngine engine)
{
    private readonly ConcurrentDictionary<string, NoDbLockScope> _holders = new(StringComparer.Ordinal);
    private readonly WeakRegistry<LocalGate> _gates = new();

    /// <summary>How many gates are recorded (dead ones not yet swept included), for tests.</summary>
    internal int GateCount => _gates.Count;

    /// <summary>The engine this coordinator belongs to.</summary>
    public NoDbEngine Engine => engine;

    /// <summary>The in-process gate of <paramref name="target"/>, shared by every instance of the document while any lives.</summary>
    public LocalGate GateFor(LockTarget target) => _gates.GetOrAdd(target.DocumentPath, 0, static (_, _) => new LocalGate());

    /// <summary>Waits for the lock. Not an async method: the flow mark must be pushed in the caller's context.</summary>
    public ValueTask<NoDbLockScope> LockAsync(NoDbControllerCore core, TimeSpan? timeout, bool documentMustExist, CancellationToken cancellationToken)
    {
        ValueTask<NoDbLockScope?> acquisition = Begin(core, timeout, wait: true, synchronous: false, documentMustExist, cancellationToken);
        return acquisition.IsCompletedSuccessfully ? ValueTask.FromResult(acquisition.Result!) : NotNull(acquisition);

        static async ValueTask<NoDbLockScope> NotNull(ValueTask<NoDbLockScope?> pending) => (await pending.ConfigureAwait(false))!;
    }

    /// <summary>Takes the lock if it is free now. Not an async method, for the same reason.</summary>
    public ValueTask<NoDbLockScope?> TryLockAsync(NoDbControllerCore core, CancellationToken cancellationToken) =>
        Begin(core, TimeSpan.Zero, wait: false, synchronous: false, documentMustExist: true, cancellationToken);

    /// <summary>Waits for the lock, blocking the thread (<c>Lock()</c>): the same protocol, run synchronously.</summary>
    public NoDbLockScope Acquire(NoDbControllerCore core, TimeSpan? timeout, bool documentMustExist) =>
        SyncViaAsync.Run(Begin(core, timeout, wait: true, synchronous: true, documentMustExist, CancellationToken.None))!;

    /// <summary>Ends, in this process, the scope holding <paramref name="target"/>, if there is one.</summary>
    public void ForceRelease(LockTarget target, string reason)
    {
        if (_holders.TryGetValue(target.DocumentPath, out NoDbLockScope? scope))
        {
            scope.ForceRelease(reason);
        }
    }

    /// <summary>Ends, in this process, every scope in <paramref name="workingDirectory"/>.</summary>
    public void ForceReleaseAll(string workingDirectory, string reason)
    {
        foreach (NoDbLockScope scope in _holders.Values)
        {
            if (string.Equals(scope.Core.Target.WorkingDirectory, workingDirectory, StringComparison.Ordinal))
            {
                scope.ForceRelease(reason);
            }
        }
    }

    /// <summary>The working directories of scopes held now whose run id is <paramref name="runId"/>.</summary>
    public IEnumerable<string> WorkingDirectoriesOf(string runId) =>
        _holders.Values.Select(s => s.Core.Target).Where(t => string.Equals(t.RunId, runId, StringComparison.Ordinal)).Select(t => t.WorkingDirectory);

    public void Unregister(NoDbLockScope scope) =>
        _holders.TryRemove(new KeyValuePair<string, NoDbLockScope>(scope.Core.Target.DocumentPath, scope));

    private ValueTask<NoDbLockScope?> Begin(
        NoDbControllerCore core, TimeSpan? timeout, bool wait, bool synchronous, bool documentMustExist, CancellationToken cancellationToken)
    {
        TimeSpan limit;
        FlowLockMark mark;
        try
        {
            limit = ResolveTimeout(timeout);
            mark = FlowLocks.Enter(core.Target);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<NoDbLockScope?>(e);
        }

        return AcquireAsync(core, mark, limit, wait, synchronous, documentMustExist, cancellationToken);
    }

    private async ValueTask<NoDbLockScope?> AcquireAsync(
        NoDbControllerCore core, FlowLockMark mark, TimeSpan timeout, bool wait, bool synchronous, bool documentMustExist, CancellationToken cancellationToken)
    {
        LocalGate? gate = null;
        ILockLease? lease = null;
        long started = engine.Time.GetTimestamp();
        Activity? activity = NoDbTelemetry.StartLock(engine, core.Target);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            core.Target.ThrowIfReadOnly();
            LocalGate candidate = core.GateIn(this);

            if (!wait)
            {
                if (!candidate.TryEnter())
                {
                    mark.Release();
                    NoDbTelemetry.LockBusy(engine, core.Target, started, activity);
                    return null;
                }

                gate = candidate;
                try
                {
                    lease = await engine.Locks.TryAcquireAsync(core.Target, cancellationToken).ConfigureAwait(false);
                }
                catch (LockWaitTimeoutException)
                {
                    lease = null; // the fence stayed busy (another process mid-commit or frozen there): not free now
                }

                if (lease is null)
                {
                    gate.Exit();
                    mark.Release();
                    NoDbTelemetry.LockBusy(engine, core.Target, started, activity);
                    return null;
                }
            }
            else
            {
                // The gate is ours only once the wait succeeded: a cancelled or timed-out wait must not release it.
                if (!await candidate.EnterAsync(timeout, engine.Time, synchronous, cancellationToken).ConfigureAwait(false))
                {
                    throw NotAcquired(core, timeout);
                }

                gate = candidate;
                try
                {
                    TimeSpan left = Remaining(started, timeout);
                    lease = synchronous
                        ? engine.Locks.Acquire(core.Target, left)
                        : await engine.Locks.AcquireAsync(core.Target, left, cancellationToken).ConfigureAwait(false);
                }
                catch (LockWaitTimeoutException e)
                {
                    throw NotAcquired(core, timeout, e.Cause);
                }
            }

            var scope = new NoDbLockScope(core, lease, gate, mark, this) { Activity = activity };
            _holders[core.Target.DocumentPath] = scope;
            try
            {
                core.OnAcquired(scope, documentMustExist);
            }
            catch
            {
                scope.Discard();
                throw;
            }

            NoDbTelemetry.LockAcquired(engine, core.Target, started, activity, lease.FencingNumber);
            return scope;
        }
        catch (Exception e)
        {
            NoDbTelemetry.LockFailed(engine, core.Target, started, activity, e);
            if (lease is null)
            {
                gate?.Exit();
                mark.Release();
            }

            throw;
        }
    }

    private static NoDbLockTimeoutException NotAcquired(NoDbControllerCore core, TimeSpan timeout, string? cause = null) =>
        timeout == TimeSpan.Zero
            ? new NoDbAlreadyLockedException(core.FilePath)
            : cause is null
                ? new NoDbLockTimeoutException(core.FilePath, timeout)
                : NoDbLockTimeoutException.WithCause(core.FilePath, timeout, cause);

    private TimeSpan ResolveTimeout(TimeSpan? timeout)
    {
        TimeSpan value = timeout ?? engine.Options.DefaultLockTimeout;
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), value, "A lock timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        // Waits longer than the platform's timer range (about 24.8 days) are as good as infinite.
        return value.TotalMilliseconds >= int.MaxValue ? Timeout.InfiniteTimeSpan : value;
    }

    private TimeSpan Remaining(long started, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return timeout;
        }

        TimeSpan left = timeout - engine.Time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
