using System.Text;
using NoDb.TestSupport;
using NoDb.Storage;

namespace NoDb.Runtime.Tests.Storage;

public sealed class AtomicFileTests(FileLocksFixture files) : BackendTest(files)
{
    [Fact]
    public void Write_replaces_the_content_and_leaves_no_temp_file()
    {
        using var run = new TestRun();
        string path = Path.Join(run.Directory, "doc.nodb");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, "{\"new\":true}"u8);

        Assert.Equal("{\"new\":true}", File.ReadAllText(path));
        Assert.Equal(["doc.nodb"], Directory.GetFiles(run.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_keeps_the_file_mode_of_the_existing_document()
    {
        using var run = new TestRun();
        string path = Path.Join(run.Directory, "doc.nodb");
        File.WriteAllText(path, "old");
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        File.SetUnixFileMode(path, mode);

        AtomicFile.Write(path, "new"u8);

        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Write_replaces_the_inode_instead_of_truncating_the_open_file()
    {
        using var run = new TestRun();
        string path = Path.Join(run.Directory, "doc.nodb");
        File.WriteAllText(path, "first version");
        using var openedBefore = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        AtomicFile.Write(path, "second"u8);

        // A reader that opened the old document still reads it whole: it was replaced, never truncated in place.
        using var reader = new StreamReader(openedBefore, Encoding.UTF8);
        Assert.Equal("first version", reader.ReadToEnd());
        Assert.Equal("second", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_concurrent_reader_never_sees_an_empty_or_partial_document()
    {
        using var run = new TestRun();
        string path = Path.Join(run.Directory, "doc.nodb");
        byte[] small = Encoding.UTF8.GetBytes("{\"v\":\"" + new string('a', 10) + "\"}");
        byte[] large = Encoding.UTF8.GetBytes("{\"v\":\"" + new string('b', 200_000) + "\"}");
        AtomicFile.Write(path, small);

        using var stop = new CancellationTokenSource();
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int reads = 0;
        Task reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                byte[] seen = File.ReadAllBytes(path);
                Assert.True(seen.AsSpan().SequenceEqual(small) || seen.AsSpan().SequenceEqual(large), $"read {seen.Length} bytes of neither version");
                Interlocked.Increment(ref reads);
                reading.TrySetResult();
            }
        });

        // The writes start once the reader reads, and go on until it has read at least 50 times while they ran (a loaded
        // machine may start the reader late).
        await reading.Task.Within();
        int readsBefore = Volatile.Read(ref reads);
        for (int i = 0; i < 200 || Volatile.Read(ref reads) - readsBefore < 50; i++)
        {
            if (reader.IsCompleted)
            {
                break; // the reader failed: its exception is thrown below
            }

            AtomicFile.Write(path, i % 2 == 0 ? large : small);
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(Volatile.Read(ref reads) - readsBefore >= 50);
    }

    [Fact]
    public void A_failed_write_leaves_the_old_document_and_no_temp_file()
    {
        using var run = new TestRun();
        string missingFolder = Path.Join(run.Directory, "missing", "doc.nodb");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(missingFolder, "x"u8));
        Assert.Empty(Directory.GetFiles(run.Directory, "*.tmp", SearchOption.AllDirectories));
    }
}
