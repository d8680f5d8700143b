using System.Threading.Channels;
using NoDb.Engine;
using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.Locking.Redis;
using NoDb.Storage;
using StackExchange.Redis;

namespace NoDb.Feed;

/// <summary>
/// Watches one run for lock and commit events. Commits come from Redis change notices on the Redis backend (they reach every
/// machine) and from file-system events on the embedded one. Lock changes are found by re-reading the run's holders
/// whenever something hints at one (a change in <c>.nodb</c>, a Redis release notice) and, as a fallback for what no event
/// reports (a release of an OS lock, an acquisition through Redis on another machine), a few times a second.
/// </summary>
internal sealed class RunWatcher
{
    private static readonly TimeSpan FileFallback = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RedisFallback = TimeSpan.FromMilliseconds(500);

    private readonly string _directory;
    private readonly ILockBackend _locks;
    private readonly IConnectionMultiplexer? _redis;
    private readonly Channel<NoDbRunEvent> _events = Channel.CreateUnbounded<NoDbRunEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _hints = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly TimeProvider _time;
    private readonly object _sync = new();
    private Dictionary<string, NoDbLockHolder> _held = new(StringComparer.Ordinal);
    private bool _pending;
    private string? _identity;
    private ISubscriber? _subscriber;
    private Action<RedisChannel, RedisValue>? _onChanged;
    private Action<RedisChannel, RedisValue>? _onReleased;

    public RunWatcher(string directory, NoDbEngine engine)
    {
        _directory = directory;
        _locks = engine.Locks;
        _time = engine.Time;
        _redis = (engine.Locks as RedisLockBackend)?.Redis;
    }

    /// <summary>The events, from <see cref="NoDbRunEventKind.Watching"/> on, until <paramref name="cancellationToken"/> ends the feed.</summary>
    public async IAsyncEnumerable<NoDbRunEvent> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Stopped when the caller cancels or stops enumerating, whichever comes first.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task loop = Task.CompletedTask;
        try
        {
            await StartAsync(stop.Token).ConfigureAwait(false);
            loop = LoopAsync(stop.Token);
            await foreach (NoDbRunEvent e in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
            await StopAsync().ConfigureAwait(false);
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        StartFileWatcher(_directory, OnRunDirectoryEvent);
        StartStateWatcher();
        if (_redis is { } redis)
        {
            _subscriber = redis.GetSubscriber();
            _onChanged = (_, message) => OnChangeNotice(message.ToString());
            _onReleased = (_, _) => Hint();
            await _subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.ChangedChannel), _onChanged).ConfigureAwait(false);
            await _subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.ReleasedChannel), _onReleased).ConfigureAwait(false);
        }

        IReadOnlyList<NoDbLockHolder> holders = await _locks.GetHoldersAsync(_directory, cancellationToken).ConfigureAwait(false);
        _identity = ReadIdentity();
        Emit(NoDbRunEventKind.Watching, null, null);
        foreach (NoDbLockHolder holder in holders.OrderBy(h => h.FilePath, StringComparer.Ordinal))
        {
            _held[Path.GetFileName(holder.FilePath)] = holder;
            Emit(NoDbRunEventKind.Held, Path.GetFileName(holder.FilePath), holder);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            Task<bool>? hinted = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan fallback = _redis is not null ? RedisFallback : FileFallback;
                bool anyHeld;
                lock (_sync)
                {
                    anyHeld = _held.Count > 0 || _pending;
                }

                // One wait for a hint at a time: a fallback reading leaves it pending for the next round.
                hinted ??= _hints.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (_redis is not null || anyHeld)
                {
                    await Task.WhenAny(hinted, Task.Delay(fallback, cancellationToken)).ConfigureAwait(false);
                }
                else
                {
                    await hinted.ConfigureAwait(false);
                }

                if (hinted.IsCompleted)
                {
                    hinted = null;
                    _hints.Reader.TryRead(out _);
                }

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
        IReadOnlyList<NoDbLockHolder> holders = await _locks.GetHoldersAsync(_directory, cancellationToken).ConfigureAwait(false);
        var now = new Dictionary<string, NoDbLockHolder>(StringComparer.Ordinal);
        bool pending = false;
        foreach (NoDbLockHolder holder in holders)
        {
            string document = Path.GetFileName(holder.FilePath);
            if (holder.FencingNumber < PeekFence(document))
            {
                // The fence has moved past the record: a new holder has the OS lock and has not written its record yet
                // (or the holder was forced open and has not noticed yet). Not its lock: the next fallback reading looks again.
                pending = true;
                continue;
            }

            now[document] = holder;
        }

        Dictionary<string, NoDbLockHolder> before;
        lock (_sync)
        {
            before = _held;
            _held = now;
            _pending = pending;
        }

        foreach ((string document, NoDbLockHolder old) in before.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!now.TryGetValue(document, out NoDbLockHolder? current) || current.FencingNumber != old.FencingNumber)
            {
                Emit(NoDbRunEventKind.Released, document, old);
            }
        }

        foreach ((string document, NoDbLockHolder current) in now.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!before.TryGetValue(document, out NoDbLockHolder? old) || old.FencingNumber != current.FencingNumber)
            {
                Emit(NoDbRunEventKind.Locked, document, current);
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
            case WatcherChangeTypes.Renamed when _redis is null:
                Emit(NoDbRunEventKind.Committed, name, null); // NoDb writes a temp file and renames it over the document
                break;
            case WatcherChangeTypes.Changed or WatcherChangeTypes.Created when _redis is null:
                Emit(NoDbRunEventKind.Edited, name, null);
                break;
            case WatcherChangeTypes.Deleted:
                Emit(NoDbRunEventKind.Removed, name, null);
                break;
        }
    }

    private void OnChangeNotice(string message)
    {
        _identity ??= ReadIdentity();
        if (_identity is { } identity && Locking.Redis.ChangeNotice.Parse(message) is { } notice &&
            notice.Document.StartsWith(identity + "/", StringComparison.Ordinal))
        {
            Emit(NoDbRunEventKind.Committed, notice.Document[(identity.Length + 1)..], null);
        }
    }

    private void StartStateWatcher()
    {
        string state = Path.Join(_directory, NoDbPaths.StateFolder);
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

    private void Emit(NoDbRunEventKind kind, string? document, NoDbLockHolder? holder)
    {
        long? fence = document is null ? null : PeekFence(document);
        _events.Writer.TryWrite(new NoDbRunEvent(kind, _time.GetUtcNow(), document, holder, fence));
    }

    private long? PeekFence(string document)
    {
        try
        {
            using RunDirectory? run = RunDirectory.TryOpen(_directory);
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
            using RunDirectory? run = RunDirectory.TryOpen(_directory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            return run is null || state is null ? null : RunIdentity.TryOf(run, state)?.Id;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task StopAsync()
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
