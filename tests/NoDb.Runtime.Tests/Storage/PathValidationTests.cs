using NoDb.TestSupport;
using NoDb.Storage;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Storage;

public sealed class PathValidationTests(FileLocksFixture files) : BackendTest(files)
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/")]
    [InlineData("bad\0path")]
    public void Hostile_working_directories_are_rejected_with_an_argument_error(string workingDirectory)
    {
        var error = Assert.Throws<ArgumentException>(() => Climate.GetInstance(workingDirectory));
        Assert.Equal("workingDirectory", error.ParamName);
    }

    [Fact]
    public void A_null_working_directory_is_rejected() =>
        Assert.Throws<ArgumentNullException>(() => Climate.GetInstance(null!));

    [Theory]
    [InlineData("../climate.nodb")]
    [InlineData("sub/climate.nodb")]
    [InlineData("..\\climate.nodb")]
    [InlineData("/etc/passwd.nodb")]
    [InlineData("..nodb")]
    [InlineData(".nodb")]
    [InlineData("climate.json")]
    [InlineData("")]
    [InlineData("a\0.nodb")]
    public void Hostile_file_names_are_rejected(string fileName) =>
        Assert.Throws<ArgumentException>(() => NoDbPaths.ValidateFileName(fileName));

    [Theory]
    [InlineData("climate.nodb")]
    [InlineData("wepp.nodb")]
    [InlineData("my-run_2.nodb")]
    public void Plain_file_names_are_accepted(string fileName) => NoDbPaths.ValidateFileName(fileName);

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("../other")]
    [InlineData("")]
    public async Task Hostile_run_ids_are_rejected_by_clear_locks(string runId) =>
        await Assert.ThrowsAsync<ArgumentException>(async () => await NoDbRuntime.ClearLocksAsync(runId));

    [Fact]
    public void A_relative_working_directory_with_dot_dot_segments_is_normalised()
    {
        using var run = new TestRun();
        run.CreateClimate();
        string roundabout = Path.Join(run.Directory, "..", run.RunId, ".", "");

        Climate climate = Climate.GetInstance(roundabout);

        Assert.Equal(run.Directory, climate.WorkingDirectory);
        Assert.Equal(run.RunId, climate.RunId);
        Assert.Same(climate, Climate.GetInstance(run.Directory));
    }

    [Fact]
    public void A_document_that_is_a_symbolic_link_is_refused()
    {
        using var run = new TestRun();
        string outside = Path.Join(Path.GetTempPath(), $"nodb-outside-{Guid.NewGuid():N}.json");
        File.WriteAllText(outside, "{ \"Counter\": 1 }");
        try
        {
            File.CreateSymbolicLink(run.ClimatePath, outside);

            var error = Assert.Throws<IOException>(() => Climate.GetInstance(run.Directory));
            Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void Create_in_a_missing_working_directory_says_so()
    {
        using var run = new TestRun();
        string missing = Path.Join(run.Directory, "not-there");

        var error = Assert.Throws<DirectoryNotFoundException>(() => Climate.Create(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("climate.nodb.fence")]
    [InlineData("climate.nodb.lock")]
    public async Task A_lock_or_fence_file_planted_as_a_symbolic_link_is_refused(string planted)
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        string outside = Path.Join(Path.GetTempPath(), $"nodb-outside-{Guid.NewGuid():N}");
        File.WriteAllText(outside, "precious");
        try
        {
            string link = Path.Join(run.Directory, ".nodb", planted);
            File.Delete(link);
            File.CreateSymbolicLink(link, outside);

            var error = await Assert.ThrowsAsync<IOException>(async () => await climate.LockAsync());

            Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
            Assert.Equal("precious", File.ReadAllText(outside));

            // Removing the link is the whole repair: NoDb recreates its file.
            File.Delete(link);
            await using (await climate.LockAsync().Within())
            {
                climate.Counter = 1;
            }

            Assert.Equal("precious", File.ReadAllText(outside));
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
