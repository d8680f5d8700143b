using System.Collections.Concurrent;

namespace NoDb.Engine;

/// <summary>
/// Values by key, shared while anyone holds them and forgotten once nobody does: the per-document bookkeeping (a gate, an
/// OS lock slot) that every user of one document must share, without keeping every document ever touched in memory. Dead
/// entries are swept after each full garbage collection.
/// </summary>
/// <typeparam name="T">The shared value.</typeparam>
internal sealed class WeakRegistry<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, WeakReference<T>> _entries = new(StringComparer.Ordinal);

    public WeakRegistry() => Gen2Callback.Register(this, static registry => ((WeakRegistry<T>)registry).Sweep() >= 0);

    /// <summary>How many entries are recorded, dead ones not yet swept included.</summary>
    public int Count => _entries.Count;

    /// <summary>The live value for <paramref name="key"/>, or a new one from <paramref name="create"/> that every later caller shares.</summary>
    public T GetOrAdd<TState>(string key, TState state, Func<string, TState, T> create)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out WeakReference<T>? existing))
            {
                if (existing.TryGetTarget(out T? live))
                {
                    return live;
                }

                T fresh = create(key, state);
                if (_entries.TryUpdate(key, new WeakReference<T>(fresh), existing))
                {
                    return fresh;
                }
            }
            else
            {
                T fresh = create(key, state);
                if (_entries.TryAdd(key, new WeakReference<T>(fresh)))
                {
                    return fresh;
                }
            }
        }
    }

    /// <summary>Records <paramref name="value"/> for <paramref name="key"/>, in place of any earlier one.</summary>
    public void Set(string key, T value) => _entries[key] = new WeakReference<T>(value);

    /// <summary>The live value for <paramref name="key"/>, if any.</summary>
    public T? Find(string key) => _entries.TryGetValue(key, out WeakReference<T>? entry) && entry.TryGetTarget(out T? live) ? live : null;

    /// <summary>Every live value.</summary>
    public IEnumerable<KeyValuePair<string, T>> Live()
    {
        foreach ((string key, WeakReference<T> entry) in _entries)
        {
            if (entry.TryGetTarget(out T? live))
            {
                yield return new(key, live);
            }
        }
    }

    /// <summary>Forgets the entries whose value has died; returns how many.</summary>
    public int Sweep()
    {
        int removed = 0;
        foreach (KeyValuePair<string, WeakReference<T>> entry in _entries)
        {
            if (!entry.Value.TryGetTarget(out _) && _entries.TryRemove(entry))
            {
                removed++;
            }
        }

        return removed;
    }
}
