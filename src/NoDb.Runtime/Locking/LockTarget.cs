using NoDb.Storage;

namespace NoDb.Locking;

/// <summary>One controller document in one working directory: the unit that is locked, fenced and cached.</summary>
internal sealed class LockTarget
{
    public LockTarget(string workingDirectory, string fileName)
    {
        WorkingDirectory = workingDirectory;
        FileName = fileName;
        DocumentPath = NoDbPaths.Combine(workingDirectory, fileName);
        StateDirectory = Path.Join(workingDirectory, NoDbPaths.StateFolder);
        ReadOnlyMarkerPath = Path.Join(workingDirectory, NoDbPaths.ReadOnlyMarker);
        RunId = Path.GetFileName(workingDirectory);
    }

    public string WorkingDirectory { get; }

    public string FileName { get; }

    public string RunId { get; }

    /// <summary>The document's absolute path; also the key of the lock in this process.</summary>
    public string DocumentPath { get; }

    /// <summary>The folder beside the documents that holds lock and fence files.</summary>
    public string StateDirectory { get; }

    public string ReadOnlyMarkerPath { get; }

    /// <summary>
    /// The document's name across processes and machines, as change notices carry it: the run's identity (see
    /// <see cref="RunIdentity"/>) and the file name. Machines may mount the shared runs at different paths; this names the
    /// same document on all of them, and never a document of another run. <see langword="null"/> while the run has no
    /// identity yet (never locked through Redis).
    /// </summary>
    public string? KnownIdentity()
    {
        try
        {
            using RunDirectory? run = RunDirectory.TryOpen(WorkingDirectory);
            using RunStateFolder? state = run?.OpenStateFolder(create: false);
            if (run is not null && state is not null && RunIdentity.TryOf(run, state) is { } identity)
            {
                return identity.Id + "/" + FileName;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    public bool IsReadOnly => File.Exists(ReadOnlyMarkerPath);

    public void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new NoDbReadOnlyException(DocumentPath, ReadOnlyMarkerPath);
        }
    }

    public override string ToString() => DocumentPath;
}
