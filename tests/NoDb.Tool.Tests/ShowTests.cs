using System.Text.Json;
using NoDb.Tool.Tests.Support;

namespace NoDb.Tool.Tests;

/// <summary><c>show</c>: documents pretty-printed, members of newer builds included, and corrupt ones located.</summary>
public sealed class ShowTests
{
    [Theory]
    [MemberData(nameof(TestBackend.Both), MemberType = typeof(TestBackend))]
    public async Task Show_prints_the_document_with_every_member_on_disk(string backendName)
    {
        TestBackend backend = TestBackend.Of(backendName);
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        RunTree.WriteDocument(run, "climate.nodb", "{\"stationId\":\"S7\",\"Counter\":3,\"FromANewerBuild\":{\"x\":[1,2]}}");

        ToolResult text = await ToolProcess.RunAsync(backend, "show", run, "climate.nodb");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("\"stationId\": \"S7\"", text.Output, StringComparison.Ordinal);
        Assert.Contains("\"FromANewerBuild\": {", text.Output, StringComparison.Ordinal);

        ToolResult json = await ToolProcess.RunAsync(backend, "show", run, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        JsonElement document = Assert.Single(json.Json.GetProperty("documents").EnumerateArray());
        Assert.True(document.GetProperty("valid").GetBoolean());
        Assert.Equal(2, document.GetProperty("content").GetProperty("FromANewerBuild").GetProperty("x").GetArrayLength());
    }

    [Fact]
    public async Task Show_names_the_line_and_byte_of_a_corrupt_document_and_exits_1()
    {
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        RunTree.WriteDocument(run, "climate.nodb", "{\n  \"Counter\": 3,\n  \"StationId\": tru\n}");

        ToolResult text = await ToolProcess.RunAsync(TestBackend.File, "show", run, "climate.nodb");
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains("CORRUPT at line 3, byte", text.Output, StringComparison.Ordinal);
        Assert.Contains("is corrupt at line 3, byte", text.Error, StringComparison.Ordinal);
        Assert.Contains("left untouched", text.Error, StringComparison.Ordinal);

        ToolResult json = await ToolProcess.RunAsync(TestBackend.File, "show", run, "--json");
        Assert.Equal(1, json.ExitCode);
        JsonElement error = Assert.Single(json.Json.GetProperty("documents").EnumerateArray()).GetProperty("error");
        Assert.Equal(3, error.GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task Show_of_a_document_the_run_does_not_have_lists_the_ones_it_has()
    {
        using var tree = new RunTree();
        string run = tree.NewRunDirectory();
        RunTree.WriteDocument(run, "climate.nodb", "{}");

        ToolResult result = await ToolProcess.RunAsync(TestBackend.File, "show", run, "watershed.nodb");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("watershed.nodb does not exist. Documents of this run: climate.nodb.", result.Error, StringComparison.Ordinal);
    }
}
