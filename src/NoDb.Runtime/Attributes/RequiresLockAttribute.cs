namespace NoDb;

/// <summary>
/// Declares that callers must hold a controller's lock. On a controller member, the lock of that controller: the
/// member's own body is analysed as if the lock of <see langword="this"/> were held. On a parameter of a controller
/// type (the <see langword="this"/> parameter of an extension method included), the lock of the controller passed
/// there: the body is analysed as if that parameter's lock were held, and every call site must hold it.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Constructor | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class RequiresLockAttribute : Attribute
{
}
