using System.Net;
using System.Net.Sockets;
using NoDb.Tool.Tests.Support;

namespace NoDb.Tool.Tests;

/// <summary>Bad input gets a clear message and the exit code a script can trust: 2 for bad usage, 1 for a failure.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("locks")]
    [InlineData("clear-locks")]
    [InlineData("show")]
    [InlineData("watch")]
    public async Task A_directory_that_is_not_a_run_is_bad_usage(string command)
    {
        using var tree = new RunTree();
        string notARun = tree.NewRunDirectory();
        File.WriteAllText(Path.Join(notARun, "notes.txt"), "hello");

        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, command, notARun);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("is not a NoDb run: it holds neither a .nodb state folder nor a *.nodb document", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_or_is_a_file_is_bad_usage()
    {
        using var tree = new RunTree();
        ToolResult missing = await ToolProcess.RunAsync(TestBackend.File, "locks", Path.Join(tree.Root, "nowhere"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);

        string file = Path.Join(tree.Root, "climate.nodb");
        File.WriteAllText(file, "{}");
        ToolResult notDirectory = await ToolProcess.RunAsync(TestBackend.File, "show", file);
        Assert.True(notDirectory.ExitCode == 2, notDirectory.ToString());
        Assert.Contains("is a file, not a run directory", notDirectory.Error, StringComparison.Ordinal);

        ToolResult check = await ToolProcess.RunAsync(TestBackend.File, "check", Path.Join(tree.Root, "nowhere"));
        Assert.True(check.ExitCode == 2, check.ToString());
        Assert.Contains("is not a directory", check.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("locks", "--no-such-option", ".")]
    [InlineData("no-such-command")]
    [InlineData("force-unlock", ".")]
    [InlineData("check", ".", "--stale-after", "soon")]
    public async Task Unknown_commands_options_and_missing_arguments_exit_2(params string[] args)
    {
        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, args);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--help' for usage", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_down_fails_with_a_message_naming_the_endpoint_and_exit_1()
    {
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        RunTree.WriteDocument(run, "climate.nodb", "{}");
        int port = FreePort();

        ToolResult viaOption = await ToolProcess.RunAsync(TestBackend.File, "locks", run, "--redis", $"127.0.0.1:{port},connectTimeout=500");
        Assert.True(viaOption.ExitCode == 1, viaOption.ToString());
        Assert.Contains($"Redis is unreachable at 127.0.0.1:{port}", viaOption.Error, StringComparison.Ordinal);

        ToolResult viaEnvironment = await ToolProcess.RunAsync(TestBackend.RedisAt($"127.0.0.1:{port},connectTimeout=500"), "check", tree.Root);
        Assert.True(viaEnvironment.ExitCode == 1, viaEnvironment.ToString());
        Assert.Contains($"Redis is unreachable at 127.0.0.1:{port}", viaEnvironment.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_command_has_help_and_help_exits_0()
    {
        ToolResult root = await ToolProcess.RunAsync(TestBackend.File, "--help");
        Assert.True(root.ExitCode == 0, root.ToString());
        foreach (string command in new[] { "locks", "clear-locks", "force-unlock", "show", "check", "watch" })
        {
            Assert.Contains(command, root.Output, StringComparison.Ordinal);
            ToolResult help = await ToolProcess.RunAsync(TestBackend.File, command, "--help");
            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains($"nodb {command}", help.Output, StringComparison.Ordinal);
            Assert.Contains("--json", help.Output, StringComparison.Ordinal);
            Assert.Contains("--redis", help.Output, StringComparison.Ordinal);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
