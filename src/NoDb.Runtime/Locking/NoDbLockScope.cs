using System.Runtime.ExceptionServices;
using NoDb.Diagnostics;
using NoDb.Infrastructure;
using NoDb.Locking;

namespace NoDb;

/// <summary>
/// A held controller lock. Disposing it persists the controller if its state changed (an atomic, fenced write) and
/// releases the lock: <c>await using var _ = await climate.LockAsync();</c>.
/// </summary>
/// <remarks>
/// Dispose cannot see an exception in flight, so a scope persists whatever state it holds when it ends; use
/// <c>UpdateAsync</c> for all-or-nothing changes. If the lock was lost meanwhile (taken by a newer holder, or forced
/// open with <c>ForceUnlockAsync</c> / <c>NoDbRuntime.ClearLocksAsync</c>), dispose writes nothing and throws
/// <see cref="NoDbLockLostException"/>.
/// </remarks>
public sealed class NoDbLockScope : IAsyncDisposable, IDisposable
{
    private readonly LocalGate _gate;
    private readonly FlowLockMark _mark;
    private int _released;
    private volatile string? _forcedReason;

    private readonly LockCoordinator _coordinator;
    private readonly long _acquired;

    internal NoDbLockScope(NoDbControllerCore core, ILockLease lease, LocalGate gate, FlowLockMark mark, LockCoordinator coordinator)
    {
        _coordinator = coordinator;
        Core = core;
        Lease = lease;
        _gate = gate;
        _mark = mark;
        _acquired = coordinator.Engine.Time.GetTimestamp();
        NoDbTelemetry.ScopeOpened(coordinator.Engine, core.Target);
        if (coordinator.Engine.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning))
        {
            lease.Lost.UnsafeRegister(static state => ((NoDbLockScope)state!).LogLost(), this);
        }
    }

    private void LogLost() =>
        NoDbLog.LeaseLost(_coordinator.Engine.Logger, Core.FilePath, Lease.FencingNumber, Lease.LostReason ?? "unknown");

    /// <summary>The <c>nodb.lock</c> activity (wait and hold), stopped when the scope ends.</summary>
    internal System.Diagnostics.Activity? Activity { get; init; }

    /// <summary>The token of this acquisition, for the token API (<c>DumpAsync</c>, <c>UnlockAsync</c>).</summary>
    public NoDbLockToken Token => new(this);

    /// <summary>
    /// Cancelled when the lock is lost while the scope is open (cleared, forced open, or taken by a newer holder).
    /// Pass it to long work done under the lock so that the work stops when it could no longer be saved.
    /// </summary>
    public CancellationToken LockLost => Lease.Lost;

    internal NoDbControllerCore Core { get; }

    internal ILockLease Lease { get; }

    internal bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>Persists the controller if it changed, then releases the lock.</summary>
    /// <exception cref="NoDbLockLostException">The lock was lost before the write; nothing was written.</exception>
    /// <exception cref="NoDbStaleWriteException">The document changed on disk without the lock; nothing was written.</exception>
    public void Dispose() => SyncViaAsync.Run(DisposeCoreAsync(synchronous: true));

    /// <summary>Persists the controller if it changed, then releases the lock.</summary>
    /// <exception cref="NoDbLockLostException">The lock was lost before the write; nothing was written.</exception>
    /// <exception cref="NoDbStaleWriteException">The document changed on disk without the lock; nothing was written.</exception>
    public ValueTask DisposeAsync() => DisposeCoreAsync(synchronous: false);

    /// <summary>The one end-of-scope protocol; <paramref name="synchronous"/> for <see cref="Dispose"/>, whose waits block its thread.</summary>
    private async ValueTask DisposeCoreAsync(bool synchronous)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            ThrowIfForced();
            return;
        }

        Exception? failure = null;
        try
        {
            await Core.PersistAsync(_coordinator.Engine, Lease, synchronous, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        await DismantleAsync(synchronous).ConfigureAwait(false);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Writes the current state now (if it changed) and keeps the lock.</summary>
    internal ValueTask PersistAsync(CancellationToken cancellationToken)
    {
        ThrowIfReleased("dump");
        return Core.PersistAsync(_coordinator.Engine, Lease, synchronous: false, cancellationToken);
    }

    /// <summary>Releases without writing: the in-memory state goes back to the last committed document.</summary>
    internal void Discard()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        try
        {
            Core.RestoreCommitted();
        }
        finally
        {
            Dismantle();
        }
    }

    /// <summary>
    /// Ends the scope from outside (force unlock in this process). The holder's code may still be running, so its state is
    /// left alone; the instance is reloaded by the next holder, and this scope's own dispose reports the loss.
    /// </summary>
    internal void ForceRelease(string reason)
    {
        _forcedReason = reason;
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Dismantle();
        }
    }

    internal void ThrowIfReleased(string operation)
    {
        if (IsReleased)
        {
            throw new NoDbLockTokenMismatchException(
                $"Cannot {operation} '{Core.FilePath}' with token #{Lease.FencingNumber}: that lock was already " +
                (_forcedReason is null ? "released" : $"taken away ({_forcedReason})") +
                ". Acquire the lock again and use the new token.",
                Core.FilePath);
        }
    }

    private void ThrowIfForced()
    {
        if (_forcedReason is { } reason)
        {
            // Whatever this holder changed after its lock was taken is not written. Its state is put back unless a newer
            // holder in this process owns the instance by now (that holder reloaded it from disk when it acquired).
            Core.RestoreCommittedIfIdle();
            throw new NoDbLockLostException(Core.FilePath, Lease.FencingNumber, reason);
        }
    }

    private void Dismantle() => SyncViaAsync.Run(DismantleAsync(synchronous: true));

    /// <summary>
    /// Gives the lock back. Asynchronously, it waits until the provider has it back (a process may exit right after);
    /// synchronously, the release is sent and flushed at exit at the latest.
    /// </summary>
    private async ValueTask DismantleAsync(bool synchronous)
    {
        try
        {
            if (synchronous)
            {
                Lease.Release();
            }
            else
            {
                await Lease.ReleaseAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Detach();
        }
    }

    private void Detach()
    {
        _coordinator.Unregister(this);
        NoDbTelemetry.ScopeClosed(_coordinator.Engine, Core.Target, _acquired, Activity);
        Core.OnReleased(this);
        _mark.Release();
        _gate.Exit();
    }
}
