using NoDb.TestSupport;
using NoDb.Tool.Tests.Support;

namespace NoDb.Tool.Tests;

/// <summary><see cref="NoDbChangeFeed"/> in process, as a web UI would use it: events of other processes, and a clean stop.</summary>
public sealed class ChangeFeedTests
{
    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task The_feed_reports_a_child_holding_the_lock_and_its_commit_and_stops_when_the_caller_stops(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        NoDbRuntime.Configure(o =>
        {
            if (backend.Configuration is { } redis)
            {
                o.UseRedis(redis);
            }
            else
            {
                o.UseFileLocks();
            }
        });
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        await LocksTests.CreateAsync(backend, run);
        using var cancel = new CancellationTokenSource(TestTimeouts.Patience);
        await using IAsyncEnumerator<NoDbRunEvent> feed = NoDbChangeFeed.WatchAsync(run, cancel.Token).GetAsyncEnumerator(cancel.Token);

        Assert.True(await feed.MoveNextAsync());
        Assert.Equal(NoDbRunEventKind.Watching, feed.Current.Kind);

        using WorkerProcess holder = WorkerProcess.StartWith(backend.WorkerEnvironment, "hold", run);
        _ = await holder.ReadLineAsync(TestTimeouts.Patience);
        NoDbRunEvent locked = await NextAsync(feed, NoDbRunEventKind.Locked);
        Assert.Equal("climate.nodb", locked.FileName);
        Assert.Equal(holder.Id, locked.Holder!.ProcessId);
        await holder.KillAsync();

        using WorkerProcess writer = WorkerProcess.StartWith(backend.WorkerEnvironment, "increment", run, "1");
        NoDbRunEvent committed = await NextAsync(feed, NoDbRunEventKind.Committed);
        Assert.Equal("climate.nodb", committed.FileName);
        Assert.True(committed.FencingNumber > locked.Holder.FencingNumber);
        Assert.Equal(0, await writer.WaitForExitAsync(TestTimeouts.Patience));
    }

    [Fact]
    public void A_missing_run_directory_is_refused_at_once()
    {
        using var tree = new RunTree();
        Assert.Throws<DirectoryNotFoundException>(() => NoDbChangeFeed.WatchAsync(Path.Join(tree.Root, "nowhere")));
    }

    private static async Task<NoDbRunEvent> NextAsync(IAsyncEnumerator<NoDbRunEvent> feed, NoDbRunEventKind kind)
    {
        while (await feed.MoveNextAsync())
        {
            if (feed.Current.Kind == kind)
            {
                return feed.Current;
            }
        }

        throw new InvalidOperationException($"The feed ended before a {kind} event.");
    }
}
