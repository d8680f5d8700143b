namespace NoDb.Generators.Model;

/// <summary>How a member type is read and written.</summary>
internal enum TypeShape
{
    String,
    Boolean,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    DateTime,
    DateTimeOffset,
    TimeSpan,
    Guid,
    Enum,
    Nullable,
    Array,
    List,
    Dictionary,
    /// <summary>Any other type: System.Text.Json with the options the user set.</summary>
    Json,
}

/// <summary>A persisted member's type: its shape, its C# name, and for containers the element (or value) type.</summary>
/// <param name="Shape">How it is read and written.</param>
/// <param name="FullName">The fully qualified C# name, with nullable annotations (<c>global::System.Collections.Generic.List&lt;string?&gt;</c>).</param>
/// <param name="Element">The element of an array, list or nullable, or the value of a dictionary.</param>
internal sealed record TypeSpec(TypeShape Shape, string FullName, TypeSpec? Element);
