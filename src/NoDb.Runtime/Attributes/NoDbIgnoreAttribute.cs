namespace NoDb;

/// <summary>
/// Excludes a field or property of a controller from its persisted state. Ignored members are never
/// written, never read, and may be changed without holding the lock.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class NoDbIgnoreAttribute : Attribute
{
}
