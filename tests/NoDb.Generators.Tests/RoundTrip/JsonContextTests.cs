using System.Text.Json.Serialization;

namespace NoDb.Generators.Tests.RoundTrip;

[NoDbController("located.nodb")]
public partial class Located
{
    public Point Where { get; set; } = new(0, 0);
}

[JsonSerializable(typeof(Point))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

[CollectionDefinition(nameof(RuntimeOptionsCollection), DisableParallelization = true)]
public sealed class RuntimeOptionsCollection;

/// <summary>Reconfigures the process-wide runtime, so it runs alone.</summary>
[Collection(nameof(RuntimeOptionsCollection))]
public sealed class JsonContextTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nodb-json-context-");

    public void Dispose()
    {
        NoDbRuntime.Configure(_ => { });
        _root.Delete(recursive: true);
    }

    [Fact]
    public void A_JsonSerializerContext_in_the_options_serializes_the_other_types()
    {
        NoDbRuntime.Configure(o => o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, TestJsonContext.Default));
        string run = Path.Join(_root.FullName, "run");
        Directory.CreateDirectory(run);

        Located.Create(run, l => l.Where = new Point(3, 4));

        Assert.Equal(new Point(3, 4), Located.LoadDetached(run).Where);
    }

    [Fact]
    public void A_type_missing_from_the_context_fails_with_a_message_that_says_what_to_do()
    {
        NoDbRuntime.Configure(o => o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, new EmptyResolver()));
        string run = Path.Join(_root.FullName, "run");
        Directory.CreateDirectory(run);

        var error = Assert.Throws<NotSupportedException>(() => Located.Create(run, l => l.Where = new Point(3, 4)));

        Assert.Contains("JsonSerializerContext", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(run, "located.nodb")));
    }

    private sealed class EmptyResolver : System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver
    {
        public System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(Type type, System.Text.Json.JsonSerializerOptions options) => null;
    }
}
