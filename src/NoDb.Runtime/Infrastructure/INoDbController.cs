using System.ComponentModel;
using System.Text.Json;

namespace NoDb.Infrastructure;

/// <summary>
/// The seam between a controller's generated code and the runtime: the generated half supplies
/// identity (through <see cref="NoDbCore"/>) and serialization; the runtime owns locking, storage,
/// caching and refresh. Not meant to be implemented by hand outside tests.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface INoDbController
{
    /// <summary>The runtime state of this instance: its working directory, lock and committed document.</summary>
    NoDbControllerCore NoDbCore { get; }

    /// <summary>Attaches the runtime state once, right after the runtime created the instance.</summary>
    void NoDbAttach(NoDbControllerCore core);

    /// <summary>Writes every persisted member as a JSON property (the runtime writes the enclosing object).</summary>
    void NoDbWriteMembers(Utf8JsonWriter writer);

    /// <summary>
    /// Reads one member. <paramref name="reader"/> is on a property name: if the name (or a legacy alias) is a persisted
    /// member, read its value, leave the reader on the value's last token and return <see langword="true"/>; otherwise
    /// leave the reader where it is and return <see langword="false"/> so that the runtime keeps the member as unknown.
    /// </summary>
    bool NoDbReadMember(ref Utf8JsonReader reader);
}

/// <summary>The typed half of the seam: how the runtime creates and refreshes instances of <typeparamref name="TSelf"/>.</summary>
/// <typeparam name="TSelf">The controller class itself.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface INoDbController<TSelf> : INoDbController
    where TSelf : class, INoDbController<TSelf>
{
    /// <summary>The document's file name, such as <c>climate.nodb</c>.</summary>
    static abstract string NoDbFileName { get; }

    /// <summary>Creates a blank instance (the parameterless constructor), not yet attached to a working directory.</summary>
    static abstract TSelf NoDbCreateBlank();

    /// <summary>Copies every persisted member of <paramref name="source"/> into this instance (refresh in place).</summary>
    void NoDbCopyStateFrom(TSelf source);
}
