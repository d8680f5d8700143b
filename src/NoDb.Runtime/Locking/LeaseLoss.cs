namespace NoDb.Locking;

/// <summary>Why a lease was lost while held: the <c>nodb.reason</c> tag of <c>nodb.lock.lost</c>.</summary>
internal enum LeaseLoss
{
    /// <summary>Redis answered a renewal or a commit's confirmation: the lease is no longer this holder's (it ran out there).</summary>
    Expired,

    /// <summary><c>NoDbRuntime.ClearLocksAsync</c> in this process took the run's locks away.</summary>
    Cleared,

    /// <summary><c>ForceUnlockAsync</c> in this process took the lock away.</summary>
    Forced,

    /// <summary>The fence moved on without this holder: a newer holder, or a force or clear made by another process.</summary>
    Fenced,

    /// <summary>Nothing could confirm the lease in time: Redis unreachable or too slow, or the fence file unreadable.</summary>
    Unreachable,
}

/// <summary>The tag values of <see cref="LeaseLoss"/>.</summary>
internal static class LeaseLossTags
{
    public static string Tag(this LeaseLoss loss) => loss switch
    {
        LeaseLoss.Expired => "expired",
        LeaseLoss.Cleared => "cleared",
        LeaseLoss.Forced => "forced",
        LeaseLoss.Fenced => "fenced",
        _ => "unreachable",
    };
}
