using System.Collections.Concurrent;
using System.Diagnostics;
using NoDb.Infrastructure;

namespace NoDb.Locking;

/// <summary>
/// Acquires controller locks in three layers: this flow must not hold the lock already (<see cref="FlowLocks"/>), then
/// the process's first-in, first-out gate for the document (<see cref="LocalGates"/>), then the backend across
/// processes. After that the instance is brought up to date with the document on disk.
/// </summary>
internal static class LockCoordinator
{
    private static readonly ConcurrentDictionary<string, NoDbLockScope> Holders = new(StringComparer.Ordinal);

    /// <summary>Waits for the lock. Not an async method: the flow mark must be pushed in the caller's context.</summary>
    public static ValueTask<NoDbLockScope> LockAsync(NoDbControllerCore core, TimeSpan? timeout, bool documentMustExist, CancellationToken cancellationToken)
    {
        ValueTask<NoDbLockScope?> acquisition = AcquireAsync(core, timeout, wait: true, documentMustExist, cancellationToken);
        return acquisition.IsCompletedSuccessfully ? ValueTask.FromResult(acquisition.Result!) : NotNull(acquisition);

        static async ValueTask<NoDbLockScope> NotNull(ValueTask<NoDbLockScope?> pending) => (await pending.ConfigureAwait(false))!;
    }

    /// <summary>Takes the lock if it is free now. Not an async method, for the same reason.</summary>
    public static ValueTask<NoDbLockScope?> TryLockAsync(NoDbControllerCore core, CancellationToken cancellationToken) =>
        AcquireAsync(core, TimeSpan.Zero, wait: false, documentMustExist: true, cancellationToken);

    private static ValueTask<NoDbLockScope?> AcquireAsync(
        NoDbControllerCore core, TimeSpan? timeout, bool wait, bool documentMustExist, CancellationToken cancellationToken)
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

        return AcquireCoreAsync(core, mark, limit, wait, documentMustExist, cancellationToken);
    }

    public static NoDbLockScope Acquire(NoDbControllerCore core, TimeSpan? timeout, bool documentMustExist)
    {
        TimeSpan limit = ResolveTimeout(timeout);
        FlowLockMark mark = FlowLocks.Enter(core.Target);
        LocalGate? gate = null;
        ILockLease? lease = null;
        try
        {
            core.Target.ThrowIfReadOnly();
            ILockBackend backend = NoDbRuntime.Backend;
            long started = Stopwatch.GetTimestamp();
            LocalGate candidate = LocalGates.For(core.Target);
            if (!candidate.Enter(limit))
            {
                throw NotAcquired(core, limit);
            }

            gate = candidate;

            try
            {
                lease = backend.Acquire(core.Target, Remaining(started, limit));
            }
            catch (LockWaitTimeoutException e)
            {
                throw NotAcquired(core, limit, e.Cause);
            }

            return Grant(core, lease, gate, mark, documentMustExist);
        }
        catch
        {
            if (lease is null)
            {
                gate?.Exit();
                mark.Release();
            }

            throw;
        }
    }

    /// <summary>Ends, in this process, the scope holding <paramref name="target"/>, if there is one.</summary>
    public static void ForceRelease(LockTarget target, string reason)
    {
        if (Holders.TryGetValue(target.DocumentPath, out NoDbLockScope? scope))
        {
            scope.ForceRelease(reason);
        }
    }

    /// <summary>Ends, in this process, every scope in <paramref name="workingDirectory"/>.</summary>
    public static void ForceReleaseAll(string workingDirectory, string reason)
    {
        foreach (NoDbLockScope scope in Holders.Values)
        {
            if (string.Equals(scope.Core.Target.WorkingDirectory, workingDirectory, StringComparison.Ordinal))
            {
                scope.ForceRelease(reason);
            }
        }
    }

    public static void Unregister(NoDbLockScope scope) =>
        Holders.TryRemove(new KeyValuePair<string, NoDbLockScope>(scope.Core.Target.DocumentPath, scope));

    private static async ValueTask<NoDbLockScope?> AcquireCoreAsync(
        NoDbControllerCore core, FlowLockMark mark, TimeSpan timeout, bool wait, bool documentMustExist, CancellationToken cancellationToken)
    {
        LocalGate? gate = null;
        ILockLease? lease = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            core.Target.ThrowIfReadOnly();
            ILockBackend backend = NoDbRuntime.Backend;
            long started = Stopwatch.GetTimestamp();
            LocalGate candidate = LocalGates.For(core.Target);

            if (!wait)
            {
                if (!candidate.TryEnter())
                {
                    mark.Release();
                    return null;
                }

                gate = candidate;

                lease = await backend.TryAcquireAsync(core.Target, cancellationToken).ConfigureAwait(false);
                if (lease is null)
                {
                    gate.Exit();
                    mark.Release();
                    return null;
                }
            }
            else
            {
                // The gate is ours only once the wait succeeded: a cancelled or timed-out wait must not release it.
                if (!await candidate.EnterAsync(timeout, cancellationToken).ConfigureAwait(false))
                {
                    throw NotAcquired(core, timeout);
                }

                gate = candidate;

                try
                {
                    lease = await backend.AcquireAsync(core.Target, Remaining(started, timeout), cancellationToken).ConfigureAwait(false);
                }
                catch (LockWaitTimeoutException e)
                {
                    throw NotAcquired(core, timeout, e.Cause);
                }
            }

            return Grant(core, lease, gate, mark, documentMustExist);
        }
        catch
        {
            if (lease is null)
            {
                gate?.Exit();
                mark.Release();
            }

            throw;
        }
    }

    private static NoDbLockScope Grant(NoDbControllerCore core, ILockLease lease, LocalGate gate, FlowLockMark mark, bool documentMustExist)
    {
        var scope = new NoDbLockScope(core, lease, gate, mark);
        Holders[core.Target.DocumentPath] = scope;
        try
        {
            core.OnAcquired(scope, documentMustExist);
        }
        catch
        {
            scope.Discard();
            throw;
        }

        return scope;
    }

    private static NoDbLockTimeoutException NotAcquired(NoDbControllerCore core, TimeSpan timeout, string? cause = null) =>
        timeout == TimeSpan.Zero
            ? new NoDbAlreadyLockedException(core.FilePath)
            : cause is null
                ? new NoDbLockTimeoutException(core.FilePath, timeout)
                : NoDbLockTimeoutException.WithCause(core.FilePath, timeout, cause);

    private static TimeSpan ResolveTimeout(TimeSpan? timeout)
    {
        TimeSpan value = timeout ?? NoDbRuntime.Options.DefaultLockTimeout;
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), value, "A lock timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        // Waits longer than the platform's timer range (about 24.8 days) are as good as infinite.
        return value.TotalMilliseconds >= int.MaxValue ? Timeout.InfiniteTimeSpan : value;
    }

    private static TimeSpan Remaining(long started, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return timeout;
        }

        TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
