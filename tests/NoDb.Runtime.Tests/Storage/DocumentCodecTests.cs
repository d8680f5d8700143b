using System.Text.Json.Nodes;
using NoDb.TestSupport;
using NoDb.TestControllers;

namespace NoDb.Runtime.Tests.Storage;

public sealed class DocumentCodecTests(FileLocksFixture files) : BackendTest(files)
{
    [Fact]
    public async Task Unknown_members_are_kept_and_written_back()
    {
        using var run = new TestRun();
        run.WriteClimateText("""
            {
              "stationId": "S1",
              "futureField": { "nested": [1, 2, 3], "text": "kept" },
              "Counter": 1,
              "anotherNewOne": null
            }
            """);

        Climate climate = Climate.GetInstance(run.Directory);
        await climate.UpdateAsync(c => c.Counter = 2);

        JsonNode written = JsonNode.Parse(run.ReadClimateText())!;
        Assert.Equal(2, (int)written["Counter"]!);
        Assert.Equal("kept", (string)written["futureField"]!["text"]!);
        Assert.Equal([1, 2, 3], written["futureField"]!["nested"]!.AsArray().Select(n => (int)n!));
        Assert.True(written.AsObject().ContainsKey("anotherNewOne"));
    }

    [Fact]
    public void A_legacy_member_name_is_read_and_written_under_its_current_name()
    {
        using var run = new TestRun();
        run.WriteClimateText("""{ "station_id": "LEGACY", "Counter": 3 }""");

        Climate climate = Climate.GetInstance(run.Directory);

        Assert.Equal("LEGACY", climate.StationId);
        Assert.Equal(3, climate.Counter);
    }

    [Theory]
    [InlineData("", 1, 0)]
    [InlineData("[1, 2]", 1, 0)]
    [InlineData("{ \"Counter\": 1,\n  \"stationId\": \"S\"\n  \"Years\": [] }", 3, 2)]
    [InlineData("{ \"Counter\": 1 } trailing", 1, 17)]
    [InlineData("{\n  \"Counter\": \"seven\"\n}", 2, 13)]
    [InlineData("{\n  \"Years\": 5\n}", 2, 11)]
    public void A_corrupt_document_names_the_file_and_position_and_is_left_untouched(string content, long line, long column)
    {
        using var run = new TestRun();
        run.WriteClimateText(content);
        byte[] before = File.ReadAllBytes(run.ClimatePath);

        var error = Assert.Throws<NoDbCorruptFileException>(() => Climate.GetInstance(run.Directory));

        Assert.Equal(run.ClimatePath, error.FilePath);
        Assert.Contains(run.ClimatePath, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.LineNumber);
        Assert.Equal(column, error.BytePositionInLine);
        Assert.Equal(before, File.ReadAllBytes(run.ClimatePath));
    }

    [Fact]
    public async Task A_document_corrupted_while_cached_fails_the_next_lock_and_stays_untouched()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate();
        run.WriteClimateText("{ \"Counter\": ");

        await Assert.ThrowsAsync<NoDbCorruptFileException>(async () => await climate.LockAsync());

        Assert.Equal("{ \"Counter\": ", run.ReadClimateText());
        Assert.False(await climate.IsLockedAsync());
    }
}
