namespace WebApp;

/// <summary>The sample's own settings, from the <c>WebApp</c> configuration section (NoDb's are in <c>NoDb</c>).</summary>
public sealed class WebAppOptions
{
    /// <summary>The configuration section these settings bind from.</summary>
    public const string SectionName = "WebApp";

    /// <summary>The folder the runs live in. Default: <c>nodb-webapp-runs</c> under the temp folder.</summary>
    public string RunsRoot { get; set; } = Path.Join(Path.GetTempPath(), "nodb-webapp-runs");

    /// <summary>How many runs (<c>run-1</c> … <c>run-N</c>) the app serves; each is created at start if it does not exist.</summary>
    public int Runs { get; set; } = 4;

    /// <summary>How many jobs the worker runs at once, as several RQ workers would.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>How many queued jobs wait at most; an enqueue past that waits for room (back-pressure), it is never dropped.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>When set, the app writes its listening address (the port the OS picked for <c>:0</c>) to this file once it serves.</summary>
    public string? AddressFile { get; set; }

    /// <summary>Also export NoDb's metrics and traces to the console (noisy under load). Default: off.</summary>
    public bool ConsoleExporter { get; set; }
}
