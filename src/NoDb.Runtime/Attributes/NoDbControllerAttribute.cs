namespace NoDb;

/// <summary>
/// Marks a <see langword="partial"/> class as a NoDb controller: its state is kept as one JSON
/// document per working directory, changed only under that document's lock.
/// </summary>
/// <remarks>
/// The NoDb source generator writes the members of the controller (<c>GetInstance</c>,
/// <c>LockAsync</c>, serialization, …). Every instance field and auto-property declared in the class is
/// persisted unless it is <see langword="static"/>, <see langword="const"/> or marked
/// <see cref="NoDbIgnoreAttribute"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NoDbControllerAttribute : Attribute
{
    /// <summary>Declares a controller stored in <paramref name="fileName"/> inside each working directory.</summary>
    /// <param name="fileName">A plain file name ending in <c>.nodb</c>, such as <c>climate.nodb</c>: no directory parts, no <c>..</c>.</param>
    public NoDbControllerAttribute(string fileName) => FileName = fileName;

    /// <summary>The document's file name inside a working directory, such as <c>climate.nodb</c>.</summary>
    public string FileName { get; }
}
