// Linked into NoDb.Generators and NoDb.Analyzers: the pinned names of the members the generator writes (see DESIGN.md),
// which the generator reserves and the analyzers recognise.
namespace NoDb.Shared;

/// <summary>The names of the members NoDb generates on every controller.</summary>
internal static class GeneratedMemberNames
{
    public const string WorkingDirectory = "WorkingDirectory";
    public const string RunId = "RunId";
    public const string FilePath = "FilePath";
    public const string IsReadOnly = "IsReadOnly";
    public const string GetInstance = "GetInstance";
    public const string GetInstanceAsync = "GetInstanceAsync";
    public const string TryGetInstance = "TryGetInstance";
    public const string LoadDetached = "LoadDetached";
    public const string Create = "Create";
    public const string CreateAsync = "CreateAsync";
    public const string LockAsync = "LockAsync";
    public const string TryLockAsync = "TryLockAsync";
    public const string Lock = "Lock";
    public const string UpdateAsync = "UpdateAsync";
    public const string AcquireLockAsync = "AcquireLockAsync";
    public const string DumpAsync = "DumpAsync";
    public const string UnlockAsync = "UnlockAsync";
    public const string DumpAndUnlockAsync = "DumpAndUnlockAsync";
    public const string ForceUnlockAsync = "ForceUnlockAsync";
    public const string IsLockedAsync = "IsLockedAsync";

    /// <summary>The generated fields that hold the runtime half of an instance.</summary>
    public const string CoreField = "__nodbCore";
    public const string CoreProperty = "__NoDbCore";

    /// <summary>Every generated name: a member of the user's with one of these names clashes (NODB107).</summary>
    public static readonly string[] All =
    [
        WorkingDirectory, RunId, FilePath, IsReadOnly, GetInstance, GetInstanceAsync, TryGetInstance, LoadDetached, Create,
        CreateAsync, LockAsync, TryLockAsync, Lock, UpdateAsync, AcquireLockAsync, DumpAsync, UnlockAsync, DumpAndUnlockAsync,
        ForceUnlockAsync, IsLockedAsync, CoreField, CoreProperty,
    ];
}
