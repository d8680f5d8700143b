using System.Globalization;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Redis.Tests;

/// <summary>
/// The Redis password never shows in what NoDb says: not in a configuration error, not in an endpoint name, not in the
/// error of an unreachable or refusing server, not in a holder record. These tests reconfigure the runtime, so they run
/// alone.
/// </summary>
[Collection(nameof(WholeRedisCollection))]
public sealed class RedisSecretsTests(RedisFixture fixture) : BackendTest(fixture)
{
    private const string Secret = "Sup3r-S3cret!";

    // So that a server that is gone or refuses fails the call within a second, not StackExchange.Redis's default 5 s.
    private const string QuickFailure = "connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000";

    private const string QuickFailureQuery = "connectTimeout=1000&asyncTimeout=1000&syncTimeout=1000";

    [Theory]
    [InlineData("127.0.0.1:{0},password=" + Secret + ",conectTimeout=100")] // a typo in another option
    [InlineData("127.0.0.1:{0},PassWord = " + Secret + ",abortConnect=perhaps")] // any case, spaces, a bad value elsewhere
    [InlineData("127.0.0.1:{0},pasword=" + Secret + ",ssl=true")] // the password option itself misspelled
    [InlineData("redis://nodb:" + Secret + "@127.0.0.1:{0}/zero")] // a URI with a bad database
    [InlineData("redis://nodb:" + Secret + "@127.0.0.1:{0}/0?conectTimeout=100")] // a URI with a misspelled option
    public void A_configuration_error_never_quotes_the_password(string template)
    {
        string configuration = string.Format(CultureInfo.InvariantCulture, template, fixture.Server.Port);
        try
        {
            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => NoDbRuntime.Configure(o => o.UseRedis(configuration)));
            Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
            Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal); // it still says which string is wrong
        }
        finally
        {
            NoDbRuntime.Configure(fixture.Apply); // had it been accepted, the process-wide runtime would be on it
        }
    }

    [Theory]
    [InlineData("127.0.0.1:{0},password=" + Secret + "," + QuickFailure)]
    [InlineData("127.0.0.1:{0},user=default,password=" + Secret + "," + QuickFailure)]
    [InlineData("redis://:" + Secret + "@127.0.0.1:{0}?" + QuickFailureQuery)]
    [InlineData("redis://default:" + Secret + "@127.0.0.1:{0}/0?" + QuickFailureQuery)]
    [InlineData("redis://" + Secret + "@127.0.0.1:{0}?" + QuickFailureQuery)]
    public async Task Every_form_of_the_configuration_works_with_a_password_and_no_holder_record_or_error_shows_it(string template)
    {
        using var run = new TestRun();
        using RedisServer guarded = RedisServer.Start("--requirepass", Secret);
        using IDisposable guardedEngine = Backend.BindNew(o => o.UseRedis(string.Format(CultureInfo.InvariantCulture, template, guarded.Port)));
        Climate climate = run.CreateClimate();
        await using (await climate.LockAsync())
        {
            climate.Counter = 1;
            IReadOnlyList<NoDbLockHolder> holders = await NoDbRuntime.GetLockHoldersAsync(run.RunId);
            Assert.Single(holders);
            Assert.DoesNotContain(Secret, holders[0].ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);

        // The same server gone: the errors name the endpoint, never the password.
        guarded.Kill();
        Exception error = await Assert.ThrowsAnyAsync<Exception>(async () => await climate.LockAsync(TimeSpan.FromSeconds(5)));
        Assert.IsAssignableFrom<StackExchange.Redis.RedisException>(error);
        Assert.Contains($"127.0.0.1:{guarded.Port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:{0},password=Wr0ng-" + Secret + "," + QuickFailure)]
    [InlineData("redis://default:Wr0ng-" + Secret + "@127.0.0.1:{0}?" + QuickFailureQuery)]
    public async Task A_refused_password_is_not_quoted_back(string template)
    {
        using var run = new TestRun();
        run.CreateClimate();
        using RedisServer guarded = RedisServer.Start("--requirepass", Secret);
        using IDisposable guardedEngine = Backend.BindNew(o => o.UseRedis(string.Format(CultureInfo.InvariantCulture, template, guarded.Port)));
        Exception error = await Assert.ThrowsAnyAsync<Exception>(async () => await Climate.GetInstance(run.Directory).LockAsync(TimeSpan.FromSeconds(5)));
        Assert.IsAssignableFrom<StackExchange.Redis.RedisException>(error);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }
}
