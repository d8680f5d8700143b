using System.Diagnostics;

namespace NoDb.Tool.Runs;

/// <summary>Whether a lock holder's process still runs, where this machine can tell.</summary>
internal static class ProcessLiveness
{
    /// <summary>
    /// <see langword="true"/> or <see langword="false"/> when <paramref name="host"/> is this machine;
    /// <see langword="null"/> (unknown) for a holder on another machine.
    /// </summary>
    public static bool? IsAlive(string host, int processId)
    {
        if (!string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (OperatingSystem.IsLinux())
        {
            return System.IO.Directory.Exists($"/proc/{processId}");
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The word a table shows for <see cref="IsAlive"/>.</summary>
    public static string Describe(bool? alive) => alive switch
    {
        true => "yes",
        false => "no (gone)",
        null => "? (other host)",
    };
}
