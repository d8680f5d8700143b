using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace NoDb.Diagnostics;

/// <summary>
/// Logs the Redis connection of one engine failing and being restored. The multiplexer may outlive the engine (it is
/// shared per configuration string, or the application's), so the handlers are removed when the engine is disposed.
/// </summary>
internal sealed class RedisConnectionLog : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger _logger;

    private RedisConnectionLog(IConnectionMultiplexer redis, ILogger logger)
    {
        _redis = redis;
        _logger = logger;
        redis.ConnectionFailed += OnFailed;
        redis.ConnectionRestored += OnRestored;
    }

    /// <summary>Starts logging, unless the logger writes nothing (then <see langword="null"/>: no handler is attached).</summary>
    public static RedisConnectionLog? Attach(IConnectionMultiplexer redis, ILogger logger) =>
        logger.IsEnabled(LogLevel.Error) ? new RedisConnectionLog(redis, logger) : null;

    public void Dispose()
    {
        _redis.ConnectionFailed -= OnFailed;
        _redis.ConnectionRestored -= OnRestored;
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e) =>
        NoDbLog.RedisConnectionFailed(_logger, e.EndPoint, e.ConnectionType, e.FailureType, e.Exception);

    private void OnRestored(object? sender, ConnectionFailedEventArgs e) =>
        NoDbLog.RedisConnectionRestored(_logger, e.EndPoint, e.ConnectionType);
}
