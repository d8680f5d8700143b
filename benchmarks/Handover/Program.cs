using System.Diagnostics;
using System.Globalization;
using System.Text;
using Medallion.Threading.Redis;
using NoDb;
using NoDb.TestControllers;
using StackExchange.Redis;

// The multi-process hand-over benchmark. As the coordinator (no "worker" argument) it measures a Redis PING round trip,
// then for each process count and each lock starts that many copies of itself as workers on one document, lets them
// contend for a fixed time, and prints a table. A worker loops acquire → no-op → release, recording when it got the
// lock and when it began to give it back; Stopwatch timestamps are CLOCK_MONOTONIC, comparable across the processes of
// one machine, so "released by X → acquired by Y" is one subtraction.
//
// With --flows K, each worker runs K such loops at once (as a web server's requests would), so that the process's own
// waiters compete with the other processes' too.
//
//   Handover --redis <configuration> [--seconds 5] [--processes 3,6] [--flows 1] [--locks nodb-redis,nodb-file,dlock-redis] [--out file.md]
//   Handover worker <lock> <run directory> <redis configuration> <events file> <flows>     (started by the coordinator)
return args.Length > 0 && args[0] == "worker"
    ? await Worker.RunAsync(args[1], args[2], args[3], args[4], int.Parse(args[5], CultureInfo.InvariantCulture))
    : await Coordinator.RunAsync(args);

internal static class Locks
{
    public const string NoDbRedis = "nodb-redis";
    public const string NoDbFile = "nodb-file";
    public const string DistributedLockRedis = "dlock-redis";

    public static readonly string[] All = [NoDbRedis, NoDbFile, DistributedLockRedis];

    public static string Describe(string name) => name switch
    {
        NoDbRedis => "NoDb, Redis backend",
        NoDbFile => "NoDb, embedded (flock)",
        DistributedLockRedis => "DistributedLock.Redis 1.1.1",
        _ => name,
    };
}

internal static class Worker
{
    public static async Task<int> RunAsync(string lockName, string runDirectory, string redis, string eventsFile, int flows)
    {
        Func<Func<Task>, Task> locked = await SetUpAsync(lockName, runDirectory, redis);

        // Warm up (JIT, connections, the run's identity), then say so and wait for the common start.
        for (int i = 0; i < 20; i++)
        {
            await locked(static () => Task.CompletedTask);
        }

        Console.WriteLine("ready");
        string go = await Console.In.ReadLineAsync() ?? throw new InvalidOperationException("no start line");
        long end = long.Parse(go.Split(' ')[2], CultureInfo.InvariantCulture);
        TimeSpan cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;

        var events = new List<(long Acquired, long Releasing)>(1 << 16);
        await Task.WhenAll(Enumerable.Range(0, flows).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                long acquired = 0, releasing = 0;
                await locked(() =>
                {
                    acquired = Stopwatch.GetTimestamp();
                    releasing = Stopwatch.GetTimestamp();
                    return Task.CompletedTask;
                });
                lock (events)
                {
                    events.Add((acquired, releasing));
                }
            }
        })));

        await using (var file = new BinaryWriter(File.Create(eventsFile)))
        {
            foreach ((long acquired, long releasing) in events)
            {
                file.Write(acquired);
                file.Write(releasing);
            }
        }

        // The CPU this process used while contending (µs), for the coordinator's summary.
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalMicroseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {cpu:0}"));
        return 0;
    }

    private static async Task<Func<Func<Task>, Task>> SetUpAsync(string lockName, string runDirectory, string redis)
    {
        switch (lockName)
        {
            case Locks.NoDbRedis:
            case Locks.NoDbFile:
                NoDbRuntime.Configure(o =>
                {
                    if (lockName == Locks.NoDbRedis)
                    {
                        o.UseRedis(redis);
                    }
                    else
                    {
                        o.UseFileLocks();
                    }

                    o.DefaultLockTimeout = TimeSpan.FromMinutes(2);
                });
                Climate climate = Climate.GetInstance(runDirectory);
                return async work =>
                {
                    await using (await climate.LockAsync())
                    {
                        await work();
                    }
                };

            case Locks.DistributedLockRedis:
                ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis);
                var peer = new RedisDistributedLock("nodb-handover:" + Path.GetFileName(runDirectory), connection.GetDatabase());
                return async work =>
                {
                    await using (await peer.AcquireAsync(TimeSpan.FromMinutes(2)))
                    {
                        await work();
                    }
                };

            default:
                throw new ArgumentException($"unknown lock '{lockName}'; one of {string.Join(", ", Locks.All)}");
        }
    }
}

internal static class Coordinator
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? redis = Option(args, "--redis") ?? Environment.GetEnvironmentVariable("NODB_BENCH_REDIS");
        if (string.IsNullOrEmpty(redis))
        {
            Console.Error.WriteLine("usage: Handover --redis <configuration> [--seconds 5] [--processes 3,6] [--flows 1] [--locks nodb-redis,nodb-file,dlock-redis] [--out file.md]");
            return 2;
        }

        double seconds = double.Parse(Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        int flows = int.Parse(Option(args, "--flows") ?? "1", CultureInfo.InvariantCulture);
        int[] counts = [.. (Option(args, "--processes") ?? "3,6").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        string[] locks = (Option(args, "--locks") ?? string.Join(',', Locks.All)).Split(',');
        string? output = Option(args, "--out");

        // The documents are created with the embedded backend: a plain file, usable by both NoDb backends.
        NoDbRuntime.Configure(o => o.UseFileLocks());
        double rtt = await PingRoundTripAsync(redis);
        Console.Error.WriteLine($"PING round trip p50: {rtt:0.0} µs");

        var rows = new List<Row>();
        foreach (int n in counts)
        {
            foreach (string lockName in locks)
            {
                Row row = await MeasureAsync(lockName, n, flows, seconds, redis);
                rows.Add(row);
                Console.Error.WriteLine($"{Locks.Describe(lockName)}, {n} processes: {row.Format(rtt)}");
            }
        }

        double rttAfter = await PingRoundTripAsync(redis);
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"PING round trip (StackExchange.Redis, awaited, one connection) p50: {rtt:0} µs before, {rttAfter:0} µs after; {seconds:0.#} s per row; {flows} flow(s) per process; {Environment.ProcessorCount} cores");
        table.AppendLine();
        table.AppendLine("| Processes | Lock | Acquisitions/s | Change process | Hand-over p50 | p90 | p99 | p50 in round trips (idle / meanwhile) | PING meanwhile | CPU per acquisition | Min share (≥ 1/(2N)) | Overlaps |");
        table.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row row in rows)
        {
            table.AppendLine(row.Format(rtt));
        }

        Console.WriteLine(table.ToString());
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, table.ToString());
        }

        return rows.All(r => r.Overlaps == 0) ? 0 : 1;
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static async Task<double> PingDuringAsync(string redis, long end)
    {
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis);
        IDatabase database = connection.GetDatabase();
        var samples = new List<double>();
        while (Stopwatch.GetTimestamp() < end)
        {
            long sent = Stopwatch.GetTimestamp();
            await database.PingAsync();
            samples.Add(Stopwatch.GetElapsedTime(sent).TotalMicroseconds);
            await Task.Delay(2);
        }

        samples.Sort();
        return Percentile(samples, 0.5);
    }

    private static async Task<double> PingRoundTripAsync(string redis)
    {
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis);
        IDatabase database = connection.GetDatabase();
        var samples = new List<double>();
        for (int i = 0; i < 3200; i++)
        {
            long sent = Stopwatch.GetTimestamp();
            await database.PingAsync();
            if (i >= 200)
            {
                samples.Add(Stopwatch.GetElapsedTime(sent).TotalMicroseconds);
            }
        }

        samples.Sort();
        return Percentile(samples, 0.5);
    }

    private static async Task<Row> MeasureAsync(string lockName, int processes, int flows, double seconds, string redis)
    {
        DirectoryInfo root = Directory.CreateTempSubdirectory("nodb-handover-");
        try
        {
            string run = Path.Join(root.FullName, "run-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(run);
            Climate.Create(run, c => c.StationId = "handover");

            var workers = new List<Process>();
            long start, end;
            double duringRoundTrip, cpu = 0;
            try
            {
                for (int i = 0; i < processes; i++)
                {
                    workers.Add(StartWorker(lockName, run, redis, Path.Join(root.FullName, $"events-{i}.bin"), flows));
                }

                foreach (Process worker in workers)
                {
                    await Expect(worker, "ready", TimeSpan.FromSeconds(60));
                }

                start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5;
                end = start + (long)(seconds * Stopwatch.Frequency);
                foreach (Process worker in workers)
                {
                    await worker.StandardInput.WriteLineAsync($"go {start} {end}");
                    await worker.StandardInput.FlushAsync();
                }

                // A round trip measured meanwhile, on a machine as busy as the workers make it: a PING every 2 ms.
                Task<double> busyRoundTrip = PingDuringAsync(redis, end);
                foreach (Process worker in workers)
                {
                    string done = await Expect(worker, "done", TimeSpan.FromSeconds(seconds + 120));
                    cpu += double.Parse(done["done ".Length..], CultureInfo.InvariantCulture);
                    await worker.WaitForExitAsync();
                }

                duringRoundTrip = await busyRoundTrip;
            }
            finally
            {
                foreach (Process worker in workers.Where(w => !w.HasExited))
                {
                    worker.Kill(entireProcessTree: true);
                }
            }

            var events = new List<(long Acquired, long Releasing, int Process)>();
            for (int i = 0; i < processes; i++)
            {
                using var file = new BinaryReader(File.OpenRead(Path.Join(root.FullName, $"events-{i}.bin")));
                while (file.BaseStream.Position < file.BaseStream.Length)
                {
                    events.Add((file.ReadInt64(), file.ReadInt64(), i));
                }
            }

            return Row.From(lockName, processes, seconds, events.OrderBy(e => e.Acquired).ToList(), start, end) with { BusyRoundTrip = duringRoundTrip, CpuPerAcquisition = cpu / Math.Max(1, events.Count) };
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static Process StartWorker(string lockName, string run, string redis, string eventsFile, int flows)
    {
        string self = typeof(Coordinator).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { self, "worker", lockName, run, redis, eventsFile, flows.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NODB_REDIS");
        return Process.Start(start) ?? throw new InvalidOperationException("could not start a worker");
    }

    private static async Task<string> Expect(Process worker, string word, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string? said = await worker.StandardOutput.ReadLineAsync(cancel.Token);
        if (said is null || !(said == word || said.StartsWith(word + " ", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"worker {worker.Id} said '{said}' instead of '{word}'");
        }

        return said;
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];
}

internal sealed record Row(
    string Lock, int Processes, double PerSecond, double ChangeFraction, double P50, double P90, double P99, double MinShare, int Overlaps, int Total)
{
    /// <summary>The CPU time all workers used while contending, per acquisition in the window (µs).</summary>
    public double CpuPerAcquisition { get; init; } = double.NaN;

    /// <summary>The median PING round trip measured while the workers ran (µs).</summary>
    public double BusyRoundTrip { get; init; } = double.NaN;

    public static Row From(string lockName, int processes, double seconds, List<(long Acquired, long Releasing, int Process)> all, long start, long end)
    {
        // Only acquisitions inside the measured window: the common start line to the common end.
        List<(long Acquired, long Releasing, int Process)> events = [.. all.Where(e => e.Acquired >= start && e.Acquired < end)];
        var handOvers = new List<double>();
        int changes = 0, overlaps = 0;
        for (int i = 1; i < events.Count; i++)
        {
            if (events[i].Acquired < events[i - 1].Releasing)
            {
                overlaps++; // two holders at once: the lock failed
            }

            if (events[i].Process != events[i - 1].Process)
            {
                changes++;
                handOvers.Add((events[i].Acquired - events[i - 1].Releasing) * 1e6 / Stopwatch.Frequency);
            }
        }

        handOvers.Sort();
        double minShare = Enumerable.Range(0, processes).Min(p => events.Count(e => e.Process == p)) / (double)Math.Max(1, events.Count);
        return new Row(lockName, processes, events.Count / seconds, changes / (double)Math.Max(1, events.Count - 1),
            Coordinator.Percentile(handOvers, 0.5), Coordinator.Percentile(handOvers, 0.9), Coordinator.Percentile(handOvers, 0.99),
            minShare, overlaps, events.Count);
    }

    public string Format(double roundTrip) => string.Create(CultureInfo.InvariantCulture,
        $"| {Processes} | {Locks.Describe(Lock)} | {PerSecond:0} | {ChangeFraction:P0} | {Micros(P50)} | {Micros(P90)} | {Micros(P99)} | " +
        $"{P50 / roundTrip:0.0} / {P50 / BusyRoundTrip:0.0} | {Micros(BusyRoundTrip)} | {Micros(CpuPerAcquisition)} | {MinShare:P1} ({(MinShare >= 1.0 / (2 * Processes) ? "fair" : "**unfair**")}) | {Overlaps} |");

    private static string Micros(double value) => double.IsNaN(value) ? "—" : value >= 1000 ? $"{value / 1000:0.00} ms" : $"{value:0} µs";
}
