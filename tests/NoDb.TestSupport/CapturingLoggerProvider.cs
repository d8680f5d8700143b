using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NoDb.TestSupport;

/// <summary>A fake logger provider that keeps every line of the <c>NoDb</c> category, with its event id, level and exception.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<(Func<Entry, bool> Matches, int Count, TaskCompletionSource Seen)> _waiters = [];

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>Completes once <paramref name="count"/> lines matching <paramref name="matches"/> were logged (before or after the call).</summary>
    public Task WhenLogged(Func<Entry, bool> matches, int count = 1)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((matches, count, seen));
            Check();
        }

        return seen.Task;
    }

    private void Add(Entry entry)
    {
        lock (_waiters)
        {
            Entries.Enqueue(entry);
            Check();
        }
    }

    private void Check()
    {
        foreach ((Func<Entry, bool> matches, int count, TaskCompletionSource seen) in _waiters)
        {
            if (Entries.Count(matches) >= count)
            {
                seen.TrySetResult();
            }
        }
    }

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception);

    private sealed class Logger(string category, CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (category == "NoDb")
            {
                provider.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
