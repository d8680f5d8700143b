namespace NoDb;

/// <summary>
/// Declares that callers of a controller member must hold that controller's lock. The member's own
/// body is analysed as if the lock of <see langword="this"/> were held.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Constructor, AllowMultiple = false, Inherited = true)]
public sealed class RequiresLockAttribute : Attribute
{
}
