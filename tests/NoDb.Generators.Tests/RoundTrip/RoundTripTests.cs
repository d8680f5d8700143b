using System.Text.Json.Nodes;

namespace NoDb.Generators.Tests.RoundTrip;

public sealed class RoundTripTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nodb-roundtrip-");

    private string Run => Path.Join(_root.FullName, "run-1");

    private string DocumentPath => Path.Join(Run, "everything.nodb");

    public RoundTripTests() => Directory.CreateDirectory(Run);

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Every_supported_member_type_survives_a_write_and_a_read()
    {
        var id = Guid.NewGuid();
        var when = new DateTime(2024, 2, 29, 13, 14, 15, 123, DateTimeKind.Utc);
        var at = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromHours(-7));
        Everything created = await Everything.CreateAsync(Run, e =>
        {
            e.Text = "héllo \"quoted\" \n line";
            e.NonNullText = "x";
            e.Flag = true;
            e.U8 = byte.MaxValue; e.I8 = sbyte.MinValue; e.I16 = short.MinValue; e.U16 = ushort.MaxValue;
            e.I32 = int.MinValue; e.U32 = uint.MaxValue; e.I64 = long.MinValue; e.U64 = ulong.MaxValue;
            e.F32 = 1.5f; e.F64 = Math.PI; e.Money = 79228162514264337593543950335m;
            e.When = when; e.At = at; e.Span = new TimeSpan(1, 2, 3, 4, 567); e.Id = id;
            e.Season = Season.Autumn; e.Outputs = Outputs.Soil | Outputs.Water;
            e.MaybeInt = 7; e.MaybeDouble = null; e.MaybeSeason = Season.Spring;
            e.Array = [1, 2, 3]; e.NullArray = null; e.Names = ["a", "b"];
            e.Series = new() { ["rain"] = [1.5, null, 2.5], ["empty"] = [] };
            e.Nested = [[1], [], [2, 3]];
            e.Origin = new Point(1.25, -2.5);
            e.Day = new DateOnly(2024, 12, 31);
            e.Renamed = 42;
            e.NotStored = 99;
            return ValueTask.CompletedTask;
        });

        Everything read = Everything.LoadDetached(Run);

        Assert.NotSame(created, read);
        Assert.Equal("héllo \"quoted\" \n line", read.Text);
        Assert.Equal("x", read.NonNullText);
        Assert.True(read.Flag);
        Assert.Equal((byte.MaxValue, sbyte.MinValue, short.MinValue, ushort.MaxValue), (read.U8, read.I8, read.I16, read.U16));
        Assert.Equal((int.MinValue, uint.MaxValue, long.MinValue, ulong.MaxValue), (read.I32, read.U32, read.I64, read.U64));
        Assert.Equal((1.5f, Math.PI, 79228162514264337593543950335m), (read.F32, read.F64, read.Money));
        Assert.Equal(when, read.When);
        Assert.Equal(DateTimeKind.Utc, read.When.Kind);
        Assert.Equal(at, read.At);
        Assert.Equal(at.Offset, read.At.Offset);
        Assert.Equal(new TimeSpan(1, 2, 3, 4, 567), read.Span);
        Assert.Equal(id, read.Id);
        Assert.Equal(Season.Autumn, read.Season);
        Assert.Equal(Outputs.Soil | Outputs.Water, read.Outputs);
        Assert.Equal(7, read.MaybeInt);
        Assert.Null(read.MaybeDouble);
        Assert.Equal(Season.Spring, read.MaybeSeason);
        Assert.Equal([1, 2, 3], read.Array);
        Assert.Null(read.NullArray);
        Assert.Equal(["a", "b"], read.Names);
        Assert.Equal([1.5, null, 2.5], read.Series["rain"]);
        Assert.Empty(read.Series["empty"]);
        Assert.Equal(3, read.Nested!.Count);
        Assert.Equal([2, 3], read.Nested[2]);
        Assert.Equal(new Point(1.25, -2.5), read.Origin);
        Assert.Equal(new DateOnly(2024, 12, 31), read.Day);
        Assert.Equal(42, read.Renamed);
        Assert.Equal(0, read.NotStored);
    }

    [Fact]
    public void The_document_is_plain_readable_json()
    {
        Everything.Create(Run, e =>
        {
            e.Season = Season.Summer;
            e.Span = TimeSpan.FromMinutes(90);
            e.Renamed = 1;
        });

        JsonObject json = JsonNode.Parse(File.ReadAllText(DocumentPath))!.AsObject();

        Assert.Equal("Summer", (string)json["Season"]!);
        Assert.Equal("01:30:00", (string)json["Span"]!);
        Assert.Equal(1, (int)json["renamed"]!);
        Assert.False(json.ContainsKey("Renamed"));
        Assert.False(json.ContainsKey("NotStored"));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Non_finite_floating_point_values_round_trip_as_strings(double value, string written)
    {
        Everything.Create(Run, e =>
        {
            e.F64 = value;
            e.F32 = (float)value;
        });

        Assert.Equal(written, (string)JsonNode.Parse(File.ReadAllText(DocumentPath))!["F64"]!);
        Everything read = Everything.LoadDetached(Run);
        Assert.Equal(value, read.F64);
        Assert.Equal((float)value, read.F32);
    }

    [Theory]
    [InlineData("\"renamed\": 5")]
    [InlineData("\"old_name\": 5")]
    [InlineData("\"older_name\": 5")]
    public void Legacy_member_names_are_read(string member)
    {
        File.WriteAllText(DocumentPath, $"{{ {member} }}");

        Assert.Equal(5, Everything.LoadDetached(Run).Renamed);
    }

    [Fact]
    public void Enums_are_read_by_name_in_any_case_or_by_number()
    {
        File.WriteAllText(DocumentPath, """{ "Season": "summer", "MaybeSeason": 3, "Outputs": "Soil, Water" }""");

        Everything read = Everything.LoadDetached(Run);

        Assert.Equal(Season.Summer, read.Season);
        Assert.Equal(Season.Autumn, read.MaybeSeason);
        Assert.Equal(Outputs.Soil | Outputs.Water, read.Outputs);
    }

    [Fact]
    public void Enum_names_that_differ_only_by_case_keep_their_value()
    {
        Everything.Create(Run, e => e.Unit = Unit.M);

        Assert.Equal(Unit.M, Everything.LoadDetached(Run).Unit);
    }

    [Theory]
    [InlineData("""{ "Season": "Monsoon" }""", "Monsoon")]
    [InlineData("""{ "Array": { } }""", "Expected an array")]
    [InlineData("""{ "Span": "not a time" }""", "wrong type")]
    [InlineData("""{ "U8": 300 }""", "wrong type")]
    [InlineData("""{ "Series": [] }""", "Expected an object")]
    public void A_value_of_the_wrong_shape_is_a_corrupt_document_naming_the_position(string document, string problem)
    {
        File.WriteAllText(DocumentPath, document);

        var error = Assert.Throws<NoDbCorruptFileException>(() => Everything.LoadDetached(Run));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.LineNumber);
        Assert.True(error.BytePositionInLine > 0);
    }

    [Fact]
    public async Task Unknown_members_survive_a_round_trip_through_a_generated_controller()
    {
        File.WriteAllText(DocumentPath, """{ "I32": 1, "fromTheFuture": { "keep": [true, null] } }""");

        Everything everything = Everything.GetInstance(Run);
        await everything.UpdateAsync(e => e.I32 = 2);

        JsonNode json = JsonNode.Parse(File.ReadAllText(DocumentPath))!;
        Assert.Equal(2, (int)json["I32"]!);
        Assert.True((bool)json["fromTheFuture"]!["keep"]![0]!);
    }
}
