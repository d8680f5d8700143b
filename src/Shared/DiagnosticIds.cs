// Linked into NoDb.Generators and NoDb.Analyzers: the pinned diagnostic ids (see DESIGN.md), in one place.
namespace NoDb.Shared;

/// <summary>NoDb's diagnostic ids: NODB0xx from the lock-discipline analyzers, NODB1xx about controller declarations.</summary>
internal static class DiagnosticIds
{
    public const string MutationWithoutLock = "NODB001";
    public const string ForeignToken = "NODB002";
    public const string NotReleased = "NODB003";
    public const string LockedAgain = "NODB004";
    public const string RequiresLockCalledWithoutLock = "NODB005";
    public const string MutationInDeferredCode = "NODB006";
    public const string NotPartial = "NODB100";
    public const string InvalidFileName = "NODB101";
    public const string DuplicateFileName = "NODB102";
    public const string Generic = "NODB103";
    public const string ContainerNotPartial = "NODB104";
    public const string NoParameterlessConstructor = "NODB105";
    public const string MemberNotAssignable = "NODB106";
    public const string ReservedMemberName = "NODB107";
    public const string UnsupportedControllerKind = "NODB108";
    public const string UnsupportedMemberType = "NODB109";
    public const string DuplicateJsonName = "NODB110";
    public const string RequiredMember = "NODB111";
}
