using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// The <c>.nodb</c> folder of one run, opened without following a link: lock, fence and holder files are opened relative to
/// it, by both backends, for every operation (acquire, commit, force, clear, listing, background checks). It is opened anew
/// for each operation, so a folder swapped in by someone else can at worst make a holder's commit be refused (its fence
/// no longer matches), never let two holders write.
/// </summary>
internal sealed class RunStateFolder : IDisposable
{
    /// <summary>Where the fence and lock files of a run live, inside its working directory.</summary>
    public const string Name = NoDbPaths.StateFolder;

    private RunStateFolder(string path, SafeFileHandle handle)
    {
        Path = path;
        Handle = handle;
    }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    /// <summary>Opens the state folder of <paramref name="run"/>, creating it if asked; <see langword="null"/> if it is missing.</summary>
    /// <exception cref="IOException">A link or a file is where the folder should be.</exception>
    public static RunStateFolder? Open(RunDirectory run, bool create)
    {
        string path = run.PathOf(Name);
        SafeFileHandle? handle = UnixNative.OpenChildDirectory(run.Handle, Name, path);
        if (handle is null && create)
        {
            // Made on first use; whoever makes it first wins, and everyone opens the same folder.
            UnixNative.CreateChildDirectory(run.Handle, Name, path);
            handle = UnixNative.OpenChildDirectory(run.Handle, Name, path)
                ?? throw new IOException($"'{path}' was removed as it was being made; another process is deleting the run's state. Retry.");
        }

        return handle is null ? null : new RunStateFolder(path, handle);
    }

    /// <summary>The display path of a file in the folder.</summary>
    public string PathOf(string name) => System.IO.Path.Join(Path, name);

    /// <summary>Opens, creating it if missing, a regular file of the folder for reading and writing (never through a link).</summary>
    public SafeFileHandle OpenOrCreate(string name) => UnixNative.OpenOrCreateAt(Handle, name, PathOf(name));

    /// <summary>Opens an existing regular file of the folder for reading, or <see langword="null"/>.</summary>
    public SafeFileHandle? OpenExisting(string name) => UnixNative.OpenExistingForReadAt(Handle, name, PathOf(name));

    /// <summary>The stamp of a name in the folder, links reported and not followed; <see langword="null"/> if missing.</summary>
    public FileStamp? StampOf(string name) => UnixNative.StampAt(Handle, name, PathOf(name));

    /// <summary>Removes a file or link of the folder; <see langword="false"/> if it was not there.</summary>
    public bool Remove(string name) => UnixNative.UnlinkAt(Handle, name, PathOf(name));

    /// <summary>
    /// The names in the folder that end with <paramref name="suffix"/> and name a document before it (such as
    /// <c>climate.nodb.fence</c>), as document file names. The listing is of the folder that is open, not of whatever the
    /// path names now.
    /// </summary>
    public IEnumerable<string> DocumentNames(string suffix)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(ListingPath()))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (name.EndsWith(suffix, StringComparison.Ordinal) && NoDbPaths.IsDocumentName(name[..^suffix.Length]))
            {
                yield return name[..^suffix.Length];
            }
        }
    }

    // Linux names the open folder itself under /proc/self/fd; elsewhere the path is listed, and every name found is opened
    // relative to the open folder anyway.
    private string ListingPath()
    {
        if (OperatingSystem.IsLinux())
        {
            string byDescriptor = $"/proc/self/fd/{Handle.DangerousGetHandle()}";
            if (Directory.Exists(byDescriptor))
            {
                return byDescriptor;
            }
        }

        return Path;
    }

    public void Dispose() => Handle.Dispose();
}
