using System.Text;
using NoDb.TestSupport;
using NoDb.Storage;
using NoDb.TestControllers;

namespace NoDb.Backends.Tests.Trust;

/// <summary>The disk is the truth: nothing rewritten that did not change, nothing dropped, no stale overwrite. On every backend.</summary>
public abstract class DiskTruthTests(BackendFixture backend) : BackendTest(backend)
{
    private static FileStamp StampOf(TestRun run, string fileName = "climate.nodb") =>
        DocumentFile.Stamp(run.Directory, fileName) ?? throw new FileNotFoundException(fileName);

    [Fact]
    public async Task A_scope_or_update_that_changes_nothing_writes_nothing_whatever_the_file_formatting()
    {
        using var run = new TestRun();
        run.CreateClimate(stationId: "S1", counter: 3);
        const string handFormatted = "{\n    \"stationId\" :   \"S1\",\n  \"Counter\": 3 , \"years\": [ ]\n}\n";
        run.WriteClimateText(handFormatted);
        FileStamp before = StampOf(run);

        Climate climate = Climate.GetInstance(run.Directory);
        await using (await climate.LockAsync())
        {
            _ = climate.Counter;
        }

        await climate.UpdateAsync(_ => { });
        using (climate.Lock())
        {
        }

        Assert.Equal(handFormatted, run.ReadClimateText());
        Assert.True(before.SameVersion(StampOf(run)), "the document was rewritten by a scope that changed nothing");
    }

    [Fact]
    public async Task Fields_unknown_to_this_build_are_kept_at_every_depth_of_an_object_member()
    {
        using var run = new TestRun();
        const string newer = """
            {
              "Settings": {
                "Threshold": 0.5,
                "AddedLater": { "deep": [1, 2, { "deeper": true }] },
                "Outlet": { "Name": "o1", "Elevation": 1234.5 },
                "Channels": { "main": { "Name": "m", "Width": 3 }, "side": { "Name": "s" } }
              },
              "Revision": 1
            }
            """;
        File.WriteAllText(Path.Join(run.Directory, "watershed.nodb"), newer);

        Watershed watershed = Watershed.GetInstance(run.Directory);
        await watershed.UpdateAsync(w =>
        {
            w.Settings.Threshold = 0.75;
            w.Settings.Outlet.Name = "o2";
            w.Settings.Channels.Remove("side");
            w.Revision = 2;
        });

        using var written = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Join(run.Directory, "watershed.nodb")));
        var settings = written.RootElement.GetProperty("Settings");
        Assert.Equal(0.75, settings.GetProperty("Threshold").GetDouble());
        Assert.True(settings.GetProperty("AddedLater").GetProperty("deep")[2].GetProperty("deeper").GetBoolean());
        Assert.Equal("o2", settings.GetProperty("Outlet").GetProperty("Name").GetString());
        Assert.Equal(1234.5, settings.GetProperty("Outlet").GetProperty("Elevation").GetDouble());
        Assert.Equal(3, settings.GetProperty("Channels").GetProperty("main").GetProperty("Width").GetInt32());
        Assert.False(settings.GetProperty("Channels").TryGetProperty("side", out _), "a removed dictionary key came back");
        Assert.Equal(2, written.RootElement.GetProperty("Revision").GetInt32());
    }

    [Fact]
    public async Task Unknown_values_are_kept_byte_for_byte_even_a_lone_surrogate_or_bytes_that_are_not_utf8()
    {
        using var run = new TestRun();
        run.CreateClimate(counter: 1);
        byte[] odd = [.. "{\"stationId\":\"S1\",\"Counter\":1,\"future\":\"\\uD800 and "u8, 0xFF, 0xFE, .. "\",\"more\":{\"x\":\"\\udfff\"}}"u8];
        File.WriteAllBytes(run.ClimatePath, odd);

        Climate climate = Climate.GetInstance(run.Directory);
        await climate.UpdateAsync(c => c.Counter = 2);

        byte[] written = File.ReadAllBytes(run.ClimatePath);
        Assert.Equal(2, Climate.LoadDetached(run.Directory).Counter);
        byte[] future = [.. "\"\\uD800 and "u8, 0xFF, 0xFE, (byte)'"'];
        Assert.True(written.AsSpan().IndexOf(future) >= 0, "the unknown value was not kept verbatim: " + Encoding.Latin1.GetString(written));
        Assert.True(written.AsSpan().IndexOf("{\"x\":\"\\udfff\"}"u8) >= 0);
    }

    [Fact]
    public async Task A_hand_edit_made_while_the_lock_is_held_is_never_overwritten()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "COMMITTED", counter: 1);

        NoDbLockScope scope = await climate.LockAsync();
        climate.Counter = 99;
        run.WriteClimateText("""{ "stationId": "HAND", "Counter": 7 }""");

        await Assert.ThrowsAsync<NoDbStaleWriteException>(async () => await scope.DisposeAsync());
        Assert.Equal(1, climate.Counter); // memory restored to what the lock was acquired with
        Assert.Equal("HAND", Climate.LoadDetached(run.Directory).StationId);

        // The next holder sees the hand edit and can build on it.
        await climate.UpdateAsync(c => c.Counter++);
        Assert.Equal(8, Climate.LoadDetached(run.Directory).Counter);
        Assert.Equal("HAND", Climate.LoadDetached(run.Directory).StationId);
    }

    [Fact]
    public async Task An_in_place_edit_that_keeps_size_and_modification_time_is_still_seen_as_a_change()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(stationId: "AAAA", counter: 1);
        DateTime modified = File.GetLastWriteTimeUtc(run.ClimatePath);

        await Assert.ThrowsAsync<NoDbStaleWriteException>(() => climate.UpdateAsync(c =>
        {
            c.Counter = 2;
            string text = run.ReadClimateText().Replace("AAAA", "BBBB", StringComparison.Ordinal);
            using (var stream = new FileStream(run.ClimatePath, FileMode.Open, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes(text)); // same inode, same length
            }

            File.SetLastWriteTimeUtc(run.ClimatePath, modified);
        }).AsTask());

        Assert.Equal("BBBB", Climate.LoadDetached(run.Directory).StationId);
        Assert.Equal(1, Climate.LoadDetached(run.Directory).Counter);
    }

    [Fact]
    public async Task A_document_deleted_while_the_lock_is_held_is_not_recreated_by_the_holder()
    {
        using var run = new TestRun();
        Climate climate = run.CreateClimate(counter: 1);

        await Assert.ThrowsAsync<NoDbStaleWriteException>(() => climate.UpdateAsync(c =>
        {
            c.Counter = 2;
            File.Delete(run.ClimatePath);
        }).AsTask());

        Assert.False(File.Exists(run.ClimatePath));
    }

    [Fact]
    public void A_member_whose_type_cannot_be_created_fails_loading_with_the_file_named()
    {
        using var run = new TestRun();
        string path = Path.Join(run.Directory, "canvas.nodb");
        File.WriteAllText(path, """{ "Shape": { "Radius": 2 } }""");

        var error = Assert.Throws<NoDbCorruptFileException>(() => Canvas.LoadDetached(run.Directory));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("cannot be created", error.Message, StringComparison.Ordinal);
    }

    /// <summary>On the embedded file locks.</summary>
    public sealed class OnFileLocks(FileLocksFixture backend) : DiskTruthTests(backend);

    /// <summary>On a redis-server.</summary>
    public sealed class OnRedis(RedisFixture backend) : DiskTruthTests(backend);

    /// <summary>On a three-master Redis Cluster.</summary>
    public sealed class OnRedisCluster(RedisClusterFixture backend) : DiskTruthTests(backend);
}
