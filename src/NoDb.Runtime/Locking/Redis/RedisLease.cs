using System.Diagnostics;
using NoDb.Locking.FileLocks;
using StackExchange.Redis;

namespace NoDb.Locking.Redis;

/// <summary>
/// A lock held as a Redis lease. It is renewed in the background while held; when renewal finds it gone (expired,
/// cleared, forced) or cannot reach Redis for a whole lease, <see cref="LeaseBase.Lost"/> fires. A commit is confirmed with
/// Redis and then fenced on the disk, so a holder whose lease lapsed can never overwrite a newer holder's document.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The renewal timer is disposed when the lease is lost or released.")]
internal sealed class RedisLease : LeaseBase
{
    private readonly RedisLockBackend _backend;
    private readonly RedisKeys _keys;
    private readonly string _value;
    private readonly Timer _renewal;
    private long _confirmedAt = Stopwatch.GetTimestamp();

    public RedisLease(RedisLockBackend backend, LockTarget target, RedisKeys keys, string value, long fencingNumber)
        : base(target, fencingNumber)
    {
        _backend = backend;
        _keys = keys;
        _value = value;
        _renewal = new Timer(static state => ((RedisLease)state!).Renew(), this, backend.RenewEvery, backend.RenewEvery);
    }

    private RedisValue[] ExtendArguments => [_value, (long)_backend.LeaseDuration.TotalMilliseconds];

    public override async ValueTask CommitFencedAsync(NoDb.Storage.RunDirectory run, Action write, FenceWait wait)
    {
        ThrowIfLost();
        bool confirmed;
        try
        {
            confirmed = wait.Synchronous
                ? (long)_backend.Database.ScriptEvaluate(RedisScripts.Extend, [_keys.Lock], ExtendArguments) == 1
                : (long)await _backend.Database.ScriptEvaluateAsync(RedisScripts.Extend, [_keys.Lock], ExtendArguments).WaitAsync(wait.CancellationToken).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            throw Unconfirmed(e);
        }

        if (!confirmed)
        {
            throw LostNow("its Redis lease expired or was taken away");
        }

        // The outcome is decided here, under the fence: once the write ran, a renewal that fails meanwhile does not undo it.
        using NoDb.Storage.RunStateFolder state = run.OpenStateFolder(create: false)
            ?? throw LostNow("its state folder was removed, and its fence with it");
        if (!await FenceFile.RunIfCurrentAsync(state, Target.FileName, FencingNumber, wait, write).ConfigureAwait(false))
        {
            throw LostNow("a newer holder or a clear has taken the lock since");
        }
    }

    protected override void OnLost() => _renewal.Dispose();

    protected override void OnReleased()
    {
        _renewal.Dispose();
        try
        {
            // Sent without waiting for the reply: a release never blocks a thread. If it is lost, the lease runs out by
            // itself, and fencing protects the document meanwhile.
            _backend.Database.ScriptEvaluate(RedisScripts.Release, [_keys.Lock], [_value, RedisKeys.ReleasedChannel], CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
        }

        _backend.OnReleased(this);
    }

    // Nothing is written from a lock that could not be confirmed.
    private NoDbLockLostException Unconfirmed(Exception e) =>
        new(Target.DocumentPath, FencingNumber, $"it could not be confirmed with Redis ({e.Message})");

    private void Renew() => _ = RenewAsync();

    private async Task RenewAsync()
    {
        try
        {
            if ((long)await _backend.Database.ScriptEvaluateAsync(RedisScripts.Extend, [_keys.Lock], ExtendArguments).ConfigureAwait(false) == 1)
            {
                Volatile.Write(ref _confirmedAt, Stopwatch.GetTimestamp());
            }
            else
            {
                MarkLost("its Redis lease expired or was taken away");
            }
        }
        catch (Exception e) when (RedisFailures.Is(e))
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref _confirmedAt)) >= _backend.LeaseDuration)
            {
                MarkLost($"Redis could not be reached to renew the lease for longer than the lease lasts ({e.Message})");
            }
        }
    }
}
