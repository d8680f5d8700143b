using System.Threading.Channels;
using NoDb.Locking.FileLocks;
using NoDb.Locking.Redis;
using NoDb.Storage;
using StackExchange.Redis;

namespace NoDb.Tool.Runs;

/// <summary>One lock or commit event of a run, as <c>nodb watch</c> prints it.</summary>
/// <param name="Time">When the watcher saw it.</param>
/// <param name="Kind"><c>watching</c>, <c>held</c> (already held at start), <c>locked</c>, <c>released</c>, <c>commit</c>, <c>edited</c> (written in place, not by NoDb), <c>removed</c>.</param>
/// <param name="Document">The document, or <see langword="null"/> for <c>watching</c>.</param>
/// <param name="Holder">The holder, for lock events.</param>
/// <param name="Fence">The document's fencing number on disk after the event.</param>
internal sealed record WatchEvent(DateTimeOffset Time, string Kind, string? Document, NoDbLockHolder? Holder, long? Fence);

/// <summary>
/// Watches one run for lock and commit events. Commits come from Redis change notices on the Redis backend (they reach every
/// machine) and from file-system events on the embedded one. Lock changes are found by re-reading the run's holders
/// whenever something hints at one (a change in <c>.nodb</c>, a Redis release notice) and, as a fallback for what no event
/// reports (a release of an OS lock, an acquisition through Redis on another machine), a few times a second.
/// </summary>
internal sealed class RunWatcher : IAsyncDisposable
{
    private static readonly TimeSpan FileFallback = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RedisFallback = TimeSpan.FromMilliseconds(500);

    private readonly RunPath _run;
    private readonly Backend _backend;
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _hints = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly object _sync = new();
    private Dictionary<string, NoDbLockHolder> _held = new(StringComparer.Ordinal);
    private string? _identity;
    private ISubscriber? _subscriber;
    private Action<RedisChannel, RedisValue>? _onChanged;
    private Action<RedisChannel, RedisValue>? _onReleased;

    public RunWatcher(RunPath run, Backend backend)
    {
        _run = run;
        _backend = backend;
    }

    /// <summary>The events, from the <c>watching</c> event on, until <paramref name="cancellationToken"/> ends the watch.</summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        Task loop = LoopAsync(cancellationToken);
        await foreach (WatchEvent e in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }

        await loop.ConfigureAwait(false);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        StartFileWatcher(_run.Directory, OnRunDirectoryEvent);
        StartStateWatcher();
        if (_backend.Multiplexer is { } redis)
        {
            _subscriber = redis.GetSubscriber();
            _onChanged = (_, message) => OnChangeNotice(message.ToString());
            _onReleased = (_, _) => Hint();
            await _subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.ChangedChannel), _onChanged).ConfigureAwait(false);
            await _subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.ReleasedChannel), _onReleased).ConfigureAwait(false);
        }

        IReadOnlyList<NoDbLockHolder> holders = await Backend.Locks.GetHoldersAsync(_run.Directory, cancellationToken).ConfigureAwait(false);
        _identity = ReadIdentity();
        Emit("watching", null, null);
        foreach (NoDbLockHolder holder in holders.OrderBy(h => h.FilePath, StringComparer.Ordinal))
        {
            _held[Path.GetFileName(holder.FilePath)] = holder;
            Emit("held", Path.GetFileName(holder.FilePath), holder);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan fallback = _backend.Redis is not null ? RedisFallback : FileFallback;
                bool anyHeld;
                lock (_sync)
                {
                    anyHeld = _held.Count > 0;
                }

                Task hinted = _hints.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (_backend.Redis is not null || anyHeld)
                {
                    await Task.WhenAny(hinted, Task.Delay(fallback, cancellationToken)).ConfigureAwait(false);
                }
                else
                {
                    await hinted.ConfigureAwait(false);
                }

                _hints.Reader.TryRead(out _);
                cancellationToken.ThrowIfCancellationRequested();
                await EvaluateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _events.Writer.TryComplete(e);
            return;
        }

        _events.Writer.TryComplete();
    }

    /// <summary>Re-reads the holders and reports what changed since the last reading.</summary>
    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<NoDbLockHolder> holders = await Backend.Locks.GetHoldersAsync(_run.Directory, cancellationToken).ConfigureAwait(false);
        var now = holders.ToDictionary(h => Path.GetFileName(h.FilePath), StringComparer.Ordinal);
        Dictionary<string, NoDbLockHolder> before;
        lock (_sync)
        {
            before = _held;
            _held = now;
        }

        foreach ((string document, NoDbLockHolder old) in before.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!now.TryGetValue(document, out NoDbLockHolder? current) || current.FencingNumber != old.FencingNumber)
            {
                Emit("released", document, old);
            }
        }

        foreach ((string document, NoDbLockHolder current) in now.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!before.TryGetValue(document, out NoDbLockHolder? old) || old.FencingNumber != current.FencingNumber)
            {
                Emit("locked", document, current);
            }
        }

        _identity ??= ReadIdentity();
    }

    private void OnRunDirectoryEvent(FileSystemEventArgs e)
    {
        if (e.Name == NoDbPaths.StateFolder)
        {
            StartStateWatcher();
            Hint();
            return;
        }

        if (e.Name is not { } name || !NoDbPaths.IsDocumentName(name))
        {
            return;
        }

        switch (e.ChangeType)
        {
            case WatcherChangeTypes.Renamed when _backend.Redis is null:
                Emit("commit", name, null); // NoDb writes a temp file and renames it over the document
                break;
            case WatcherChangeTypes.Changed or WatcherChangeTypes.Created when _backend.Redis is null:
                Emit("edited", name, null);
                break;
            case WatcherChangeTypes.Deleted:
                Emit("removed", name, null);
                break;
        }
    }

    private void OnChangeNotice(string message)
    {
        _identity ??= ReadIdentity();
        if (_identity is { } identity && message.StartsWith(identity + "/", StringComparison.Ordinal))
        {
            Emit("commit", message[(identity.Length + 1)..], null);
        }
    }

    private void StartStateWatcher()
    {
        string state = Path.Join(_run.Directory, NoDbPaths.StateFolder);
        lock (_sync)
        {
            if (_watchers.Count > 1 || !Directory.Exists(state))
            {
                return;
            }
        }

        StartFileWatcher(state, _ => Hint());
    }

    private void StartFileWatcher(string directory, Action<FileSystemEventArgs> handler)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        watcher.Changed += (_, e) => handler(e);
        watcher.Created += (_, e) => handler(e);
        watcher.Deleted += (_, e) => handler(e);
        watcher.Renamed += (_, e) => handler(e);
        watcher.Error += (_, _) => Hint(); // an overflow: re-read everything
        watcher.EnableRaisingEvents = true;
        lock (_sync)
        {
            _watchers.Add(watcher);
        }
    }

    private void Hint() => _hints.Writer.TryWrite(true);

    private void Emit(string kind, string? document, NoDbLockHolder? holder)
    {
        long? fence = document is null ? null : PeekFence(document);
        _events.Writer.TryWrite(new WatchEvent(DateTimeOffset.UtcNow, kind, document, holder, fence));
    }

    private long? PeekFence(string document)
    {
        try
        {
            using RunDirectory? run = RunDirectory.TryOpen(_run.Directory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            return state is null ? null : FenceFile.Peek(state, document);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string? ReadIdentity()
    {
        try
        {
            using RunDirectory? run = RunDirectory.TryOpen(_run.Directory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            return run is null || state is null ? null : RunIdentity.TryOf(run, state)?.Id;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            foreach (FileSystemWatcher watcher in _watchers)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
        }

        if (_subscriber is not null)
        {
            await _subscriber.UnsubscribeAsync(RedisChannel.Literal(RedisKeys.ChangedChannel), _onChanged).ConfigureAwait(false);
            await _subscriber.UnsubscribeAsync(RedisChannel.Literal(RedisKeys.ReleasedChannel), _onReleased).ConfigureAwait(false);
        }
    }
}
