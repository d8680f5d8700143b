using System.Diagnostics;
using NoDb;

namespace Playback;

/// <summary>
/// The profile playback that caused wepppy's 504s: a recorded session replayed without think time, its "build climate"
/// requests locking the same run at once, mixed with reads.
/// </summary>
internal static class Workload
{
    /// <summary>Replays <paramref name="requests"/> requests, <paramref name="concurrency"/> at a time, against one run.</summary>
    public static async Task<WorkloadResult> RunAsync(string workingDirectory, string worker, int requests, int concurrency)
    {
        var waits = new List<double>(requests);
        int succeeded = 0, failed = 0, builds = 0;
        var errors = new List<string>();
        using var slots = new SemaphoreSlim(concurrency);

        await Task.WhenAll(Enumerable.Range(0, requests).Select(async request =>
        {
            await slots.WaitAsync();
            try
            {
                bool isBuild = request % 5 < 3; // three builds for every two reads, as in the recorded profile
                Climate climate = await Climate.GetInstanceAsync(workingDirectory);
                if (isBuild)
                {
                    long asked = Stopwatch.GetTimestamp();
                    await using (await climate.LockAsync())
                    {
                        lock (waits)
                        {
                            waits.Add(Stopwatch.GetElapsedTime(asked).TotalMilliseconds);
                        }

                        await Task.Delay(Random.Shared.Next(1, 4)); // the build's own work
                        climate.BuildCount++;
                        climate.LastBuiltBy = $"{worker}/request-{request}";
                        climate.LastBuiltAt = DateTimeOffset.UtcNow;
                    }

                    Interlocked.Increment(ref builds);
                }
                else
                {
                    _ = climate.StationId;
                    _ = climate.BuildCount;
                }

                Interlocked.Increment(ref succeeded);
            }
            catch (NoDbException e)
            {
                Interlocked.Increment(ref failed);
                lock (errors)
                {
                    errors.Add(e.Message);
                }
            }
            finally
            {
                slots.Release();
            }
        }));

        return new WorkloadResult(succeeded, failed, builds, waits, errors);
    }
}

/// <summary>What one process's replay did.</summary>
internal sealed record WorkloadResult(int Succeeded, int Failed, int Builds, List<double> LockWaitsMs, List<string> Errors);
