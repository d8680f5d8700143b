using Microsoft.Win32.SafeHandles;

namespace NoDb.Storage;

/// <summary>
/// A working directory opened once for one operation. Every name inside it (documents, temp files, the <c>.nodb</c> state
/// folder) is resolved relative to the open folder and never through a symbolic link, so another local user who can write
/// in the run directory cannot make NoDb read or change anything outside it, whatever they swap in between two calls.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    private RunDirectory(string path, SafeFileHandle handle)
    {
        Path = path;
        Handle = handle;
    }

    /// <summary>The absolute, normalised path the caller gave.</summary>
    public string Path { get; }

    public SafeFileHandle Handle { get; }

    /// <summary>Opens <paramref name="workingDirectory"/>; throws <see cref="DirectoryNotFoundException"/> if it does not exist.</summary>
    public static RunDirectory Open(string workingDirectory) =>
        TryOpen(workingDirectory) ?? throw new DirectoryNotFoundException(
            $"The working directory '{workingDirectory}' does not exist. Create the run directory first, or check the path.");

    /// <summary>Opens <paramref name="workingDirectory"/>, or returns <see langword="null"/> if it does not exist.</summary>
    public static RunDirectory? TryOpen(string workingDirectory)
    {
        try
        {
            return new RunDirectory(workingDirectory, UnixNative.OpenDirectory(workingDirectory));
        }
        catch (IOException) when (!Directory.Exists(workingDirectory))
        {
            return null;
        }
    }

    /// <summary>The display path of a name inside the run.</summary>
    public string PathOf(string name) => System.IO.Path.Join(Path, name);

    /// <summary>The stamp of <paramref name="name"/> (a link is reported as a link, not followed), or <see langword="null"/>.</summary>
    public FileStamp? StampOf(string name) => UnixNative.StampAt(Handle, name, PathOf(name));

    /// <summary>Whether the regular file <paramref name="name"/> exists (a link does not count).</summary>
    public bool HasFile(string name) => StampOf(name) is { IsLink: false };

    /// <summary>Opens the state folder, creating it if <paramref name="create"/>; <see langword="null"/> if it is missing.</summary>
    public RunStateFolder? OpenStateFolder(bool create) => RunStateFolder.Open(this, create);

    /// <summary>Flushes the folder's entries, so that a rename inside it survives a crash.</summary>
    public void Flush() => UnixNative.Fsync(Handle, Path);

    public void Dispose() => Handle.Dispose();
}
