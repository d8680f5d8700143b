using Microsoft.Extensions.Logging;
using NoDb.Engine;
using NoDb.TestSupport;

namespace NoDb.Redis.Tests;

/// <summary>Failures on the Redis backend that reach no caller still leave a log line.</summary>
public sealed class RedisLoggingTests
{
    [Fact]
    public async Task A_change_notice_subscription_that_cannot_be_made_is_logged_naming_the_channel_and_what_it_costs()
    {
        var sink = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(sink));
        var options = new NoDbOptions { LoggerFactory = factory };
        options.UseRedis($"127.0.0.1:{RedisServer.FreePort()},connectTimeout=200"); // nothing listens there
        using var engine = new NoDbEngine(options);

        // Three channels: commits of other processes, released locks, and releases handed to this process's waiters. They
        // fail in any order.
        await sink.WhenLogged(e => e.Id.Id == 9, count: 3).Within();

        CapturingLoggerProvider.Entry[] failures = [.. sink.Entries.Where(e => e.Id.Id == 9)];
        Assert.Equal(3, failures.Length);
        Assert.All(failures, e => Assert.Equal(("NoticeSubscriptionFailed", LogLevel.Error), (e.Id.Name, e.Level)));
        Assert.Single(failures, e => e.Message.Contains("nodb:changed", StringComparison.Ordinal) && e.Message.Contains("look at the disk", StringComparison.Ordinal));
        Assert.Equal(2, failures.Count(e => e.Message.Contains("nodb:released", StringComparison.Ordinal) && e.Message.Contains("poll", StringComparison.Ordinal)));
        Assert.All(failures, e => Assert.NotNull(e.Exception));
    }
}
