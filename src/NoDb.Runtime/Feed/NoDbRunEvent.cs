namespace NoDb;

/// <summary>What happened to a run, as <see cref="NoDbChangeFeed.WatchAsync"/> reports it.</summary>
public enum NoDbRunEventKind
{
    /// <summary>The feed has started: every later change is reported. The first event of every feed.</summary>
    Watching,

    /// <summary>A lock that was already held when the feed started (reported once per lock, right after <see cref="Watching"/>).</summary>
    Held,

    /// <summary>A holder took a document's lock.</summary>
    Locked,

    /// <summary>A holder's lock ended: released, cleared, forced open, or (Redis) its lease ran out.</summary>
    Released,

    /// <summary>A new version of a document was committed.</summary>
    Committed,

    /// <summary>A document was changed in place, not by a NoDb commit (a hand edit, another program); embedded backend only.</summary>
    Edited,

    /// <summary>A document was removed.</summary>
    Removed,
}

/// <summary>One event of a run's change feed.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Time">When the feed saw it.</param>
/// <param name="FileName">The document (such as <c>climate.nodb</c>); <see langword="null"/> for <see cref="NoDbRunEventKind.Watching"/>.</param>
/// <param name="Holder">The lock holder, for <see cref="NoDbRunEventKind.Held"/>, <see cref="NoDbRunEventKind.Locked"/> and <see cref="NoDbRunEventKind.Released"/>.</param>
/// <param name="FencingNumber">The document's fencing number on disk when the event was seen, if it has one.</param>
public sealed record NoDbRunEvent(NoDbRunEventKind Kind, DateTimeOffset Time, string? FileName, NoDbLockHolder? Holder, long? FencingNumber);
