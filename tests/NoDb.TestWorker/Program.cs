using System.Diagnostics.Metrics;
using System.Globalization;
using NoDb;
using NoDb.TestControllers;

// Usage:
//   increment <working directory> <count>   lock, Counter++, persist; <count> times
//   create <working directory>              create climate.nodb and exit
//   commit-loop <working directory>         Counter++ under the lock, print "committed <n>" after each commit, until killed
//   hold <working directory>                lock, print "locked <fencing number>", then block until killed
//   stale-write <working directory>         lock, print "locked <n>", wait for a line on stdin, set StationId, persist
//   force-unlock <working directory>        take the lock of climate.nodb away from whoever holds it
//   commit-exit <working directory> async|sync|async-kill|sync-exit
//                                           with a 30 s lease: lock, Counter++, dispose the scope (DisposeAsync or
//                                           Dispose), print "committed" and exit at once (async-kill: DisposeAsync,
//                                           then SIGKILL at once, printing nothing, so nothing runs after the dispose;
//                                           sync-exit: Dispose, then Environment.Exit(0) at once, printing nothing)
//   contend <working directory> <ms> <flows>
//                                           print "ready", wait for a line on stdin, then for <ms> milliseconds run <flows>
//                                           loops of UpdateAsync(Counter++) at once; print "count <commits made>"
//   exclusive <working directory> <count>   <count> times: lock, create .holder exclusively (fails if another holder is
//                                           inside), yield, delete it, Counter++; prints "overlap" if it ever failed
//   reconfigure <working directory>         GetInstance twice, NoDbRuntime.Configure again, GetInstance twice; print
//                                           "old engine: same, new engine: <same|another> instance, then <same|another>"
//   lookups <working directory> <threads> <calls>
//                                           with a listener on nodb.instance.lookups from the start and a 10 ms refresh
//                                           interval, <threads> threads call GetInstance <calls> times each at once; print
//                                           "lookups <counted> hits <h>"
//   lookups-late <working directory> <threads> <calls>
//                                           the same with a 1 h refresh interval, the instance cached before the listener
//                                           starts and collects once; prints what the calls after that collection added
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: NoDb.TestWorker increment|create|commit-loop|hold|stale-write|force-unlock|commit-exit|contend|exclusive|reconfigure|lookups <working directory> [arguments]");
    return 2;
}

string mode = args[0];
string directory = args[1];
NoDbRuntime.Configure(o =>
{
    o.DefaultLockTimeout = TimeSpan.FromMinutes(2);
    o.LeaseCheckInterval = TimeSpan.FromMilliseconds(100);
    // With NODB_REDIS set: a killed worker's lease runs out quickly. commit-exit's is long, so that a lease left behind
    // at exit would be unmistakable.
    o.LeaseDuration = mode == "commit-exit" ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2);
    if (mode == "lookups")
    {
        o.RefreshInterval = TimeSpan.FromMilliseconds(10); // many refresh epochs: each decides again where hits are counted
    }
    else if (mode == "lookups-late")
    {
        o.RefreshInterval = TimeSpan.FromHours(1); // no tick during the test: only the listener's collection starts counting
    }
});
if (mode == "create")
{
    // Creates climate.nodb (its mode follows this process's umask).
    Climate.Create(directory, c => c.StationId = "created");
    Console.WriteLine("created");
    return 0;
}

if (mode == "reconfigure")
{
    Climate before = Climate.GetInstance(directory);
    string again = ReferenceEquals(Climate.GetInstance(directory), before) ? "same" : "another";
    NoDbRuntime.Configure(o => o.UseFileLocks());
    Climate after = Climate.GetInstance(directory);
    string afterwards = ReferenceEquals(after, before) ? "same" : "another";
    string cachedAfter = ReferenceEquals(Climate.GetInstance(directory), after) ? "same" : "another";
    Console.WriteLine($"old engine: {again}, new engine: {afterwards} instance, then {cachedAfter}");
    return 0;
}

if (mode is "lookups" or "lookups-late")
{
    return CountLookups(directory, int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), late: mode == "lookups-late");
}

Climate climate = Climate.GetInstance(directory);

switch (mode)
{
    case "increment":
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        for (int i = 0; i < count; i++)
        {
            await using (await climate.LockAsync())
            {
                climate.Counter++;
            }
        }

        Console.WriteLine("done");
        return 0;

    case "hold":
        NoDbLockScope held = await climate.LockAsync();
        Console.WriteLine($"locked {held.Token.FencingNumber}");
        await Task.Delay(Timeout.Infinite);
        return 0;

    case "contend":
        int milliseconds = int.Parse(args[2], CultureInfo.InvariantCulture);
        int flows = int.Parse(args[3], CultureInfo.InvariantCulture);
        await climate.UpdateAsync(_ => { }); // warm up: connection, run identity, JIT
        Console.WriteLine("ready");
        _ = Console.ReadLine();
        int commits = 0;
        var window = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, flows).Select(_ => Task.Run(async () =>
        {
            while (window.ElapsedMilliseconds < milliseconds)
            {
                await climate.UpdateAsync(c => c.Counter++);
                Interlocked.Increment(ref commits);
            }
        })));
        Console.WriteLine($"count {commits}");
        return 0;

    case "commit-loop":
        // Commits Counter++ until killed, acknowledging each commit after it returned.
        while (true)
        {
            await climate.UpdateAsync(c => c.Counter++);
            Console.WriteLine($"committed {climate.Counter}");
        }

    case "stale-write":
        await using (NoDbLockScope scope = await climate.LockAsync())
        {
            Console.WriteLine($"locked {scope.Token.FencingNumber}");
            _ = Console.ReadLine();
            climate.StationId = "stale";
            try
            {
                scope.Dispose();
            }
            catch (NoDbLockLostException e)
            {
                Console.WriteLine($"refused {e.FencingNumber}");
                return 0;
            }
        }

        Console.WriteLine("written");
        return 1;

    case "exclusive":
        int rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
        string marker = Path.Join(directory, ".holder");
        int overlaps = 0;
        await Task.WhenAll(Enumerable.Range(0, 25).Select(async _ =>
        {
            for (int i = 0; i < rounds; i++)
            {
                await using (await climate.LockAsync())
                {
                    try
                    {
                        using (new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                        {
                        }
                    }
                    catch (IOException)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    await Task.Yield();
                    File.Delete(marker);
                    climate.Counter++;
                }
            }
        }));

        Console.WriteLine(overlaps == 0 ? "done" : $"overlap {overlaps}");
        return overlaps == 0 ? 0 : 1;

    case "commit-exit":
        if (args.Length > 2 && args[2] is "sync" or "sync-exit")
        {
            using (climate.Lock())
            {
                climate.Counter++;
            }
        }
        else
        {
            await using (await climate.LockAsync())
            {
                climate.Counter++;
            }
        }

        if (args.Length > 2 && args[2] == "async-kill")
        {
            System.Diagnostics.Process.GetCurrentProcess().Kill(); // nothing runs after the dispose: no chance to send anything
        }

        if (args.Length > 2 && args[2] == "sync-exit")
        {
            Environment.Exit(0); // at once, printing nothing: only the exit handlers run
        }

        Console.WriteLine("committed");
        return 0;

    case "force-unlock":
        await climate.ForceUnlockAsync();
        Console.WriteLine("forced");
        return 0;

    default:
        Console.Error.WriteLine($"unknown mode '{mode}'");
        return 2;
}

// This process binds no flow to a host: its GetInstance takes the hot path the test process (which binds) never does.
static int CountLookups(string directory, int threads, int calls, bool late)
{
    Climate? cachedBefore = late ? Climate.GetInstance(directory) : null;
    long counted = 0;
    long hits = 0;
    using var listener = new MeterListener
    {
        InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "NoDb" && instrument.Name == "nodb.instance.lookups")
            {
                l.EnableMeasurementEvents(instrument);
            }
        },
    };
    listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
    {
        counted += value;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag is { Key: "nodb.result", Value: "hit" })
            {
                hits += value;
            }
        }
    });
    listener.Start();
    (long Counted, long Hits) before = (0, 0);
    if (late)
    {
        listener.RecordObservableInstruments(); // the first collection: from now on the cached instance counts its hits
        before = (counted, hits);
        (counted, hits) = (0, 0);
    }

    Climate first = cachedBefore ?? Climate.GetInstance(directory);
    using var start = new Barrier(threads);
    var callers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
    {
        start.SignalAndWait();
        for (int i = 0; i < calls; i++)
        {
            if (!ReferenceEquals(Climate.GetInstance(directory), first))
            {
                throw new InvalidOperationException("GetInstance returned another instance for the same run.");
            }
        }
    })).ToList();
    callers.ForEach(t => t.Start());
    callers.ForEach(t => t.Join());
    listener.RecordObservableInstruments();
    Console.WriteLine($"lookups {counted - before.Counted} hits {hits - before.Hits}");
    return 0;
}
