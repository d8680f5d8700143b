using System.IO.Enumeration;
using NoDb.Storage;

namespace NoDb.Tool.Runs;

/// <summary>One directory of a tree that is a run, with the names check needs, found in one listing.</summary>
/// <param name="Directory">The run directory.</param>
/// <param name="Documents">Its <c>*.nodb</c> document names.</param>
/// <param name="TempFiles">Names shaped like NoDb's temp files (<c>.&lt;file&gt;.&lt;32 hex&gt;.tmp</c>).</param>
/// <param name="HasStateFolder">Whether it has a <c>.nodb</c> state folder.</param>
internal sealed record FoundRun(string Directory, IReadOnlyList<string> Documents, IReadOnlyList<string> TempFiles, bool HasStateFolder);

/// <summary>Walks a tree for runs: every directory with a <c>.nodb</c> folder or a <c>*.nodb</c> document. Links are not followed.</summary>
internal static class TreeWalker
{
    private static readonly EnumerationOptions Listing = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    private readonly record struct Entry(string Name, bool IsDirectory, bool IsLink);

    /// <summary>The runs under <paramref name="root"/> (the root included), found depth first; state folders are not entered.</summary>
    public static IEnumerable<FoundRun> Runs(string root, CancellationToken cancellationToken)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string directory = pending.Pop();
            List<string>? documents = null;
            List<string>? temps = null;
            bool state = false;
            IEnumerable<Entry> entries = new FileSystemEnumerable<Entry>(
                directory,
                static (ref FileSystemEntry e) => new Entry(e.FileName.ToString(), e.IsDirectory, (e.Attributes & FileAttributes.ReparsePoint) != 0),
                Listing);
            try
            {
                foreach (Entry entry in entries)
                {
                    if (entry.IsLink)
                    {
                        continue; // never followed: a link cannot take the walk outside the tree, or round in a loop
                    }

                    if (entry.IsDirectory)
                    {
                        if (entry.Name == NoDbPaths.StateFolder)
                        {
                            state = true;
                        }
                        else
                        {
                            pending.Push(Path.Join(directory, entry.Name));
                        }
                    }
                    else if (entry.Name.EndsWith(".nodb", StringComparison.Ordinal) && NoDbPaths.IsDocumentName(entry.Name))
                    {
                        (documents ??= []).Add(entry.Name);
                    }
                    else if (entry.Name.EndsWith(".tmp", StringComparison.Ordinal) && AtomicFile.IsTempFile(entry.Name))
                    {
                        (temps ??= []).Add(entry.Name);
                    }
                }
            }
            catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException)
            {
                continue; // removed while walking, or not ours to read
            }

            if (state || documents is not null)
            {
                documents?.Sort(StringComparer.Ordinal);
                yield return new FoundRun(directory, documents ?? [], temps ?? [], state);
            }
        }
    }
}
