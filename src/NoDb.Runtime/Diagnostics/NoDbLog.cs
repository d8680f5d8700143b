using Microsoft.Extensions.Logging;

namespace NoDb.Diagnostics;

/// <summary>
/// NoDb's log lines (category <c>NoDb</c>), source-generated, with stable event ids: change a message freely, never an id.
/// Without a host (or <see cref="NoDbOptions.LoggerFactory"/>), the engine's logger is the null logger and none is written.
/// </summary>
internal static partial class NoDbLog
{
    /// <summary>The category every NoDb logger uses.</summary>
    public const string Category = "NoDb";

    [LoggerMessage(EventId = 1, EventName = "LockTimeout", Level = LogLevel.Warning,
        Message = "Gave up waiting for the lock of {Document} after {Timeout}")]
    public static partial void LockTimeout(ILogger logger, string document, TimeSpan timeout);

    [LoggerMessage(EventId = 2, EventName = "LeaseLost", Level = LogLevel.Warning,
        Message = "Lost the lock of {Document} (fencing number {FencingNumber}) while holding it: {Reason}")]
    public static partial void LeaseLost(ILogger logger, string document, long fencingNumber, string reason);

    [LoggerMessage(EventId = 3, EventName = "WriteRefused", Level = LogLevel.Warning,
        Message = "Refused to write {Document}: {Reason}")]
    public static partial void WriteRefused(ILogger logger, string document, string reason);

    [LoggerMessage(EventId = 4, EventName = "CorruptDocument", Level = LogLevel.Error,
        Message = "{Document} does not parse: {Problem}")]
    public static partial void CorruptDocument(ILogger logger, string document, string problem, Exception error);

    [LoggerMessage(EventId = 5, EventName = "CorruptCacheEntry", Level = LogLevel.Warning,
        Message = "The cached copy of {Document} does not parse; it was dropped and the disk serves: {Problem}")]
    public static partial void CorruptCacheEntry(ILogger logger, string document, string problem);

    [LoggerMessage(EventId = 6, EventName = "RedisConnectionFailed", Level = LogLevel.Error,
        Message = "The Redis connection to {EndPoint} ({ConnectionType}) failed: {FailureType}")]
    public static partial void RedisConnectionFailed(
        ILogger logger, System.Net.EndPoint? endPoint, StackExchange.Redis.ConnectionType connectionType, StackExchange.Redis.ConnectionFailureType failureType, Exception? error);

    [LoggerMessage(EventId = 7, EventName = "RedisConnectionRestored", Level = LogLevel.Information,
        Message = "The Redis connection to {EndPoint} ({ConnectionType}) is restored")]
    public static partial void RedisConnectionRestored(ILogger logger, System.Net.EndPoint? endPoint, StackExchange.Redis.ConnectionType connectionType);

    [LoggerMessage(EventId = 8, EventName = "SlowLockWait", Level = LogLevel.Warning,
        Message = "Waited {Waited} for the lock of {Document}, longer than {Threshold}: another holder kept it that long")]
    public static partial void SlowLockWait(ILogger logger, string document, TimeSpan waited, TimeSpan threshold);

    [LoggerMessage(EventId = 9, EventName = "NoticeSubscriptionFailed", Level = LogLevel.Error,
        Message = "Could not subscribe to the Redis channel {Channel}: {Consequence}")]
    public static partial void NoticeSubscriptionFailed(ILogger logger, string channel, string consequence, Exception error);

    [LoggerMessage(EventId = 10, EventName = "LockLostCallbackFailed", Level = LogLevel.Error,
        Message = "A callback registered on LockLost of {Document} threw; the loss is recorded all the same")]
    public static partial void LockLostCallbackFailed(ILogger logger, string document, Exception error);

    [LoggerMessage(EventId = 11, EventName = "ReleaseUnconfirmed", Level = LogLevel.Warning,
        Message = "Could not give back the Redis lease of {Document}; it runs out by itself within the lease, and fencing protects the document meanwhile")]
    public static partial void ReleaseUnconfirmed(ILogger logger, string document, Exception error);

    [LoggerMessage(EventId = 12, EventName = "RenewalUnconfirmed", Level = LogLevel.Warning,
        Message = "Redis did not confirm a renewal of the lease of {Document}; the lease is lost if none is confirmed before its deadline")]
    public static partial void RenewalUnconfirmed(ILogger logger, string document, Exception error);

    [LoggerMessage(EventId = 13, EventName = "ProbeDirectoryLeft", Level = LogLevel.Warning,
        Message = "Could not remove the health check's probe directory {Directory}; it is safe to delete")]
    public static partial void ProbeDirectoryLeft(ILogger logger, string directory, Exception error);

    [LoggerMessage(EventId = 14, EventName = "CommitUnconfirmed", Level = LogLevel.Warning,
        Message = "Redis did not confirm the lease of {Document} for a commit; the commit waits for Redis, and is refused as lost if the lease's deadline ({Left} from now) passes first")]
    public static partial void CommitUnconfirmed(ILogger logger, string document, TimeSpan left, Exception error);
}
