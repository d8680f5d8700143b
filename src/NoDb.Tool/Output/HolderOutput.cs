using System.Text.Json;
using NoDb.Tool.Runs;

namespace NoDb.Tool.Output;

/// <summary>Lock holders as tables and as JSON, the same for <c>locks</c>, <c>clear-locks</c> and <c>force-unlock</c>.</summary>
internal static class HolderOutput
{
    public static Table NewTable() => new("RUN", "DOCUMENT", "HOST", "PID", "ALIVE", "SINCE", "LEASE EXPIRES", "FENCE");

    public static void AddRow(Table table, RunPath run, NoDbLockHolder holder, DateTimeOffset now) => table.Add(
        run.RunId,
        Path.GetFileName(holder.FilePath),
        holder.Host,
        holder.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ProcessLiveness.Describe(ProcessLiveness.IsAlive(holder.Host, holder.ProcessId)),
        Formats.Time(holder.Acquired, now),
        holder.Expires is { } expires ? Formats.Time(expires, now) : "with the holder (OS lock)",
        holder.FencingNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void Write(Utf8JsonWriter json, RunPath run, NoDbLockHolder holder)
    {
        json.WriteStartObject();
        json.WriteString("run", run.RunId);
        json.WriteString("runDirectory", run.Directory);
        json.WriteString("document", Path.GetFileName(holder.FilePath));
        json.WriteString("host", holder.Host);
        json.WriteNumber("pid", holder.ProcessId);
        if (ProcessLiveness.IsAlive(holder.Host, holder.ProcessId) is { } alive)
        {
            json.WriteBoolean("alive", alive);
        }
        else
        {
            json.WriteNull("alive");
        }

        json.WriteString("since", Formats.Iso(holder.Acquired));
        if (holder.Expires is { } expires)
        {
            json.WriteString("expires", Formats.Iso(expires));
        }
        else
        {
            json.WriteNull("expires");
        }

        json.WriteNumber("fence", holder.FencingNumber);
        json.WriteEndObject();
    }
}
