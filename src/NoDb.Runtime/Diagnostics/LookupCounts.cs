using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace NoDb.Diagnostics;

/// <summary>
/// The counts behind <c>nodb.instance.lookups</c>, kept so that counting costs a cached <c>GetInstance</c> as little as it
/// can: nothing while nobody listens to the instrument. While someone does, a cached hit adds one atomically to its
/// cached entry while one thread uses the entry, or to the calling thread's own cells when several do (see
/// <c>InstanceEntry.CountHit</c>); every other lookup adds to its thread's cells (a plain increment: a cell is only ever
/// written by its thread). The observable counter sums both when a listener collects. The cells of threads that ended,
/// and the counts of entries and engines that went away, are folded into one array, so memory stays bounded by the live
/// threads, entries and series. Registries are held until their engine is disposed (every engine NoDbRuntime replaces
/// is). A hit racing with the removal of its entry may go uncounted; totals never decrease.
/// </summary>
internal static class LookupCounts
{
    public const int Hit = 0;
    public const int Refreshed = 1;
    public const int Loaded = 2;
    public const int Missing = 3;

    private const int Results = 4;
    private static readonly string[] ResultNames = ["hit", "refreshed", "loaded", "missing"];

    private static readonly object Sync = new();
    private static readonly Dictionary<(string Document, string Backend), int> Slots = new();
    private static readonly List<(string Document, string Backend)> Series = [];
    private static readonly List<(Thread Owner, long[] Cells)> Threads = [];
    private static readonly List<IHitCounts> Registries = [];
    private static long[] s_ended = [];


    /// <summary>The slot of one series (a document on a backend); registries take theirs once.</summary>
    public static int SlotOf(string document, string backend)
    {
        lock (Sync)
        {
            if (!Slots.TryGetValue((document, backend), out int slot))
            {
                slot = Series.Count;
                Series.Add((document, backend));
                Slots.Add((document, backend), slot);
            }

            return slot;
        }
    }

    /// <summary>
    /// Whether a listener has <c>nodb.instance.lookups</c> enabled. Lookups are counted while one does (a cached entry
    /// decides when it is trusted, and again when a listener collects): the totals grow while some listener has the
    /// instrument enabled and stand still between listeners, which is what a rate or a dashboard needs.
    /// </summary>
    public static bool Listening
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => NoDbTelemetry.InstanceLookups.Enabled;
    }

    /// <summary>Counts one lookup of <paramref name="result"/> in <paramref name="slot"/>, in the calling thread's cells (callers decide whether anyone listens).</summary>
    public static void Count(int slot, int result)
    {
        int index = (slot * Results) + result;
        long[]? cells = ThisThread.Cells;
        if (cells is not null && (uint)index < (uint)cells.Length)
        {
            cells[index]++;
        }
        else
        {
            CountSlow(index);
        }
    }

    /// <summary>Counts the cached hits of <paramref name="registry"/> (its entries' own counts) until it is retired.</summary>
    public static void Track(IHitCounts registry)
    {
        lock (Sync)
        {
            Registries.Add(registry);
        }
    }

    /// <summary>Folds the cached hits of <paramref name="registry"/> into the totals for good and lets go of it (its engine was disposed).</summary>
    public static void Retire(IHitCounts registry)
    {
        lock (Sync)
        {
            if (Registries.Remove(registry))
            {
                long[] hits = new long[(registry.LookupSlot + 1) * Results];
                hits[(registry.LookupSlot * Results) + Hit] = registry.CollectCachedHits();
                s_ended = Merged(s_ended, hits);
            }
        }
    }

    /// <summary>The cumulative count of every series and result seen so far, for the observable counter.</summary>
    public static IEnumerable<Measurement<long>> Observe()
    {
        var measurements = new List<Measurement<long>>();
        lock (Sync)
        {
            long[] totals = new long[Series.Count * Results];
            Add(totals, s_ended);
            for (int i = Threads.Count - 1; i >= 0; i--)
            {
                (Thread owner, long[] cells) = Threads[i];
                if (owner.IsAlive)
                {
                    Add(totals, cells);
                }
                else
                {
                    s_ended = Merged(s_ended, cells);
                    Add(totals, cells);
                    Threads.RemoveAt(i);
                }
            }

            foreach (IHitCounts registry in Registries)
            {
                // Every registry took its slot before it was tracked, so it is within the totals.
                totals[(registry.LookupSlot * Results) + Hit] += registry.CollectCachedHits();
            }

            for (int index = 0; index < totals.Length; index++)
            {
                if (totals[index] > 0)
                {
                    (string document, string backend) = Series[index / Results];
                    measurements.Add(new Measurement<long>(
                        totals[index],
                        new KeyValuePair<string, object?>(NoDbTelemetry.DocumentTag, document),
                        new KeyValuePair<string, object?>(NoDbTelemetry.BackendTag, backend),
                        new KeyValuePair<string, object?>(NoDbTelemetry.ResultTag, ResultNames[index % Results])));
                }
            }
        }

        return measurements;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CountSlow(int index)
    {
        lock (Sync)
        {
            long[]? old = ThisThread.Cells;
            long[] cells = new long[Math.Max(Series.Count, (index / Results) + 1) * Results];
            old?.CopyTo(cells, 0);
            int registered = old is null ? -1 : Threads.FindIndex(t => ReferenceEquals(t.Cells, old));
            if (registered >= 0)
            {
                Threads[registered] = (Thread.CurrentThread, cells);
            }
            else
            {
                Threads.Add((Thread.CurrentThread, cells));
            }

            ThisThread.Cells = cells;
            cells[index]++;
        }
    }

    private static void Add(long[] totals, long[] cells)
    {
        for (int i = 0; i < cells.Length && i < totals.Length; i++)
        {
            totals[i] += Volatile.Read(ref cells[i]);
        }
    }

    private static long[] Merged(long[] into, long[] cells)
    {
        long[] merged = into.Length >= cells.Length ? into : [.. into, .. new long[cells.Length - into.Length]];
        for (int i = 0; i < cells.Length; i++)
        {
            merged[i] += cells[i];
        }

        return merged;
    }

    /// <summary>The calling thread's cells, alone in their class: no static constructor stands between the hot path and them.</summary>
    private static class ThisThread
    {
        [ThreadStatic]
        public static long[]? Cells;
    }
}

/// <summary>A registry whose entries count their own cached hits (see <see cref="LookupCounts"/>).</summary>
internal interface IHitCounts
{
    /// <summary>The registry's series in <see cref="LookupCounts"/>.</summary>
    int LookupSlot { get; }

    /// <summary>
    /// The cached hits counted so far, in live entries and in entries that went away (never decreases); a listener is
    /// collecting, so entries trusted while nobody listened count their hits from now on.
    /// </summary>
    long CollectCachedHits();
}
