using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using NoDb.Locking.FileLocks;
using NoDb.Storage;
using NoDb.Tool.Cli;
using NoDb.Tool.Output;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Commands;

/// <summary>
/// <c>nodb check &lt;root&gt; [--fix]</c>: walks a tree of runs for corrupt documents, leftover temp files, locks whose holder
/// is gone, malformed fence files and fences that went backwards. <c>--fix</c> removes stale temp files only, never a document.
/// </summary>
internal static class CheckCommand
{
    /// <summary>The kinds of finding, as JSON names them.</summary>
    internal static class Kinds
    {
        public const string CorruptDocument = "corrupt-document";
        public const string UnreadableDocument = "unreadable-document";
        public const string StaleTempFile = "stale-temp-file";
        public const string HolderGone = "lock-holder-gone";
        public const string MalformedFence = "malformed-fence";
        public const string FenceBehind = "fence-behind";
        public const string UnreadableState = "unreadable-state";
    }

    private sealed record Finding(string Run, string Kind, string Path, string Detail, bool Fixed);

    public static Command Create()
    {
        var rootArgument = new Argument<string>("root") { Description = "The folder to walk: a run, or a folder of runs at any depth." };
        var fix = new Option<bool>("--fix") { Description = "Remove what is safe to remove: temp files older than --stale-after. Never a document, a lock or a fence." };
        var staleAfter = new Option<TimeSpan>("--stale-after")
        {
            Description = "How old a temp file must be to count as left by a writer that died (a live writer takes well under a second).",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
            HelpName = "hh:mm:ss",
        };
        var command = new Command("check", "Walk a tree of runs and report corrupt documents, leftover temp files, locks whose holder process is gone (on this host), malformed fence files, and fences that went backwards. Exits 1 when problems remain, 0 when none do.")
        {
            rootArgument,
            fix,
            staleAfter,
        };
        ToolCommand.SetAction(command, async (result, backend, cancellationToken) =>
        {
            string rootText = result.GetRequiredValue(rootArgument);
            string root;
            try
            {
                root = NoDbPaths.NormalizeWorkingDirectory(rootText);
            }
            catch (ArgumentException e)
            {
                throw new ToolUsageException(e.Message);
            }

            if (!Directory.Exists(root))
            {
                throw new ToolUsageException($"'{rootText}' is not a directory. Pass the folder of runs to check.");
            }

            bool json = result.GetValue(ToolCommand.Json);
            bool repair = result.GetValue(fix);
            TimeSpan stale = result.GetValue(staleAfter);
            var watch = Stopwatch.StartNew();
            var findings = new ConcurrentBag<Finding>();
            int runs = 0;
            int documents = 0;
            int locksHeld = 0;
            int freshTemps = 0;
            using var progress = Progress.Start(!json && !Console.IsErrorRedirected, () => Volatile.Read(ref runs));
            DateTimeOffset olderThan = DateTimeOffset.UtcNow - stale;
            await Parallel.ForEachAsync(
                TreeWalker.Runs(root, cancellationToken),
                new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount * 2) },
                async (run, ct) =>
                {
                    (int docs, int held, int fresh) = await CheckRunAsync(run, backend, olderThan, repair, findings, ct).ConfigureAwait(false);
                    Interlocked.Add(ref documents, docs);
                    Interlocked.Add(ref locksHeld, held);
                    Interlocked.Add(ref freshTemps, fresh);
                    Interlocked.Increment(ref runs);
                }).ConfigureAwait(false);
            progress.Dispose();
            watch.Stop();

            List<Finding> sorted = findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Kind, StringComparer.Ordinal).ToList();
            int remaining = sorted.Count(f => !f.Fixed);
            if (json)
            {
                Formats.WriteJson(Console.Out, w => WriteJson(w, root, backend, sorted, runs, documents, locksHeld, freshTemps, watch.Elapsed));
            }
            else
            {
                WriteText(sorted, runs, documents, locksHeld, freshTemps, watch.Elapsed, backend, repair);
            }

            return remaining == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static async ValueTask<(int Documents, int Held, int FreshTemps)> CheckRunAsync(
        FoundRun found, Backend backend, DateTimeOffset olderThan, bool repair, ConcurrentBag<Finding> findings, CancellationToken cancellationToken)
    {
        string runId = Path.GetFileName(found.Directory);
        using RunDirectory? run = RunDirectory.TryOpen(found.Directory);
        if (run is null)
        {
            return (0, 0, 0); // removed while the tree was walked
        }

        foreach (string name in found.Documents)
        {
            string path = run.PathOf(name);
            try
            {
                if (DocumentFile.TryRead(run, name) is { } read && DocumentProbe.Of(read.Bytes) is { IsValid: false } probe)
                {
                    findings.Add(new Finding(runId, Kinds.CorruptDocument, path, probe.Describe(), Fixed: false));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                findings.Add(new Finding(runId, Kinds.UnreadableDocument, path, e.Message, Fixed: false));
            }
        }

        int fresh = 0;
        var staleTemps = new List<string>();
        long limit = (olderThan - DateTimeOffset.UnixEpoch).Ticks * 100;
        foreach (string name in found.TempFiles)
        {
            if (run.StampOf(name) is { IsRegularFile: true } stamp)
            {
                if (stamp.ChangedNanoseconds < limit)
                {
                    staleTemps.Add(name);
                }
                else
                {
                    fresh++; // a writer may be using it right now
                }
            }
        }

        if (staleTemps.Count > 0)
        {
            if (repair)
            {
                AtomicFile.SweepLitter(run, olderThan);
            }

            foreach (string name in staleTemps)
            {
                bool removed = repair && run.StampOf(name) is null;
                findings.Add(new Finding(runId, Kinds.StaleTempFile, run.PathOf(name), removed ? "removed" : "left by a writer that died; 'check --fix' removes it", removed));
            }
        }

        int held = 0;
        if (found.HasStateFolder)
        {
            try
            {
                using (RunStateFolder? state = run.OpenStateFolder(create: false))
                {
                    if (state is not null)
                    {
                        CheckFences(runId, state, findings);
                    }
                }

                foreach (NoDbLockHolder holder in await Backend.Locks.GetHoldersAsync(found.Directory, cancellationToken).ConfigureAwait(false))
                {
                    held++;
                    if (ProcessLiveness.IsAlive(holder.Host, holder.ProcessId) == false)
                    {
                        findings.Add(new Finding(runId, Kinds.HolderGone, holder.FilePath,
                            $"held by pid {holder.ProcessId} on {holder.Host}, which no longer runs (fence {holder.FencingNumber}); " +
                            $"'nodb clear-locks {found.Directory}' takes it away", Fixed: false));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                findings.Add(new Finding(runId, Kinds.UnreadableState, Path.Join(found.Directory, NoDbPaths.StateFolder), e.Message, Fixed: false));
            }
        }

        return (found.Documents.Count, held, fresh);
    }

    /// <summary>A fence file holds 20 decimal digits and a line end, as the runtime writes it; anything else is malformed.</summary>
    private static void CheckFences(string runId, RunStateFolder state, ConcurrentBag<Finding> findings)
    {
        Span<byte> buffer = stackalloc byte[64];
        foreach (string document in state.DocumentNames(FenceFile.Suffix))
        {
            string name = document + FenceFile.Suffix;
            string path = state.PathOf(name);
            if (state.StampOf(name) is not { IsRegularFile: true })
            {
                findings.Add(new Finding(runId, Kinds.MalformedFence, path, "not a regular file (a link or something else is where the fence should be)", Fixed: false));
                continue;
            }

            using Microsoft.Win32.SafeHandles.SafeFileHandle? handle = state.OpenExisting(name);
            if (handle is null)
            {
                continue;
            }

            int read = RandomAccess.Read(handle, buffer, 0);
            ReadOnlySpan<byte> content = buffer[..read];
            bool wellFormed = read == 21 && content[20] == (byte)'\n' && !content[..20].ContainsAnyExceptInRange((byte)'0', (byte)'9');
            if (!wellFormed)
            {
                string shown = System.Text.Encoding.ASCII.GetString(content).Replace("\n", "\\n", StringComparison.Ordinal);
                findings.Add(new Finding(runId, Kinds.MalformedFence, path,
                    $"holds '{shown}', not a fencing number (20 digits); the runtime reads it as 0 and seeds the next number from the clock", Fixed: false));
                continue;
            }

            // The lock file names the last number given to a holder: a fence below it went backwards (restored from a
            // backup, or rewritten by hand), and a writer holding that number would no longer be refused by it.
            long fence = long.Parse(content[..20], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
            if (LastIssued(state, document + FileLockBackend.LockSuffix) is { } issued && issued > fence)
            {
                findings.Add(new Finding(runId, Kinds.FenceBehind, path,
                    $"holds {fence}, below fencing number {issued} already given to a holder (the fence went backwards); " +
                    $"'nodb clear-locks' moves it past every number issued", Fixed: false));
            }
        }
    }

    /// <summary>The fencing number in a lock file's holder record ("host|pid|ms|fence"), or <see langword="null"/>.</summary>
    private static long? LastIssued(RunStateFolder state, string lockName)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle? handle = state.OpenExisting(lockName);
        if (handle is null)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[512];
        int read = RandomAccess.Read(handle, buffer, 0);
        string record = System.Text.Encoding.UTF8.GetString(buffer[..read]);
        int end = record.IndexOf('\n', StringComparison.Ordinal);
        string[] parts = (end >= 0 ? record[..end] : record).Trim().Split('|');
        return parts.Length >= 4 && long.TryParse(parts[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long fence)
            ? fence
            : null;
    }

    private static void WriteText(List<Finding> findings, int runs, int documents, int held, int freshTemps, TimeSpan elapsed, Backend backend, bool repair)
    {
        if (findings.Count > 0)
        {
            var table = new Table("PROBLEM", "PATH", "DETAIL");
            foreach (Finding finding in findings)
            {
                table.Add(finding.Fixed ? finding.Kind + " (fixed)" : finding.Kind, finding.Path, finding.Detail);
            }

            table.WriteTo(Console.Out);
            Console.Out.WriteLine();
        }

        int remaining = findings.Count(f => !f.Fixed);
        int fixedCount = findings.Count - remaining;
        Console.Out.WriteLine(
            $"Checked {LocksCommand.Plural(runs, "run")} and {LocksCommand.Plural(documents, "document")} in {elapsed.TotalSeconds:0.00} s ({backend.Description}): " +
            $"{LocksCommand.Plural(remaining, "problem")}{(repair ? $", {fixedCount} fixed" : "")}; {LocksCommand.Plural(held, "lock")} held" +
            (freshTemps > 0 ? $", {LocksCommand.Plural(freshTemps, "temp file")} being written" : "") + ".");
        foreach (IGrouping<string, Finding> kind in findings.Where(f => !f.Fixed).GroupBy(f => f.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.Out.WriteLine($"  {kind.Key}: {kind.Count()}");
        }
    }

    private static void WriteJson(Utf8JsonWriter json, string root, Backend backend, List<Finding> findings, int runs, int documents, int held, int freshTemps, TimeSpan elapsed)
    {
        json.WriteStartObject();
        json.WriteString("root", root);
        json.WriteString("backend", backend.Name);
        json.WriteNumber("runs", runs);
        json.WriteNumber("documents", documents);
        json.WriteNumber("locksHeld", held);
        json.WriteNumber("tempFilesBeingWritten", freshTemps);
        json.WriteNumber("problems", findings.Count(f => !f.Fixed));
        json.WriteNumber("fixed", findings.Count(f => f.Fixed));
        json.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
        json.WriteStartArray("findings");
        foreach (Finding finding in findings)
        {
            json.WriteStartObject();
            json.WriteString("kind", finding.Kind);
            json.WriteString("run", finding.Run);
            json.WriteString("path", finding.Path);
            json.WriteString("detail", finding.Detail);
            json.WriteBoolean("fixed", finding.Fixed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A progress line on stderr, redrawn a few times a second while a terminal watches; nothing when redirected.</summary>
    private sealed class Progress : IDisposable
    {
        private readonly Timer? _timer;
        private readonly Func<int> _count;
        private int _disposed;

        private Progress(bool show, Func<int> count)
        {
            _count = count;
            if (show)
            {
                _timer = new Timer(_ => Console.Error.Write($"\rchecking: {_count()} runs"), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
            }
        }

        public static Progress Start(bool show, Func<int> count) => new(show, count);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && _timer is not null)
            {
                _timer.Dispose();
                Console.Error.Write("\r" + new string(' ', 40) + "\r");
            }
        }
    }
}
