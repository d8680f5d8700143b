using NoDb.Locking;
using NoDb.Storage;

namespace NoDb.Infrastructure;

/// <summary>The core of one <typeparamref name="T"/> instance: the typed serialization the seam supplies.</summary>
internal sealed class ControllerCore<T> : NoDbControllerCore
    where T : class, INoDbController<T>
{
    private readonly T _owner;

    public ControllerCore(LockTarget target, Engine.NoDbEngine engine, T owner)
        : base(target, engine)
    {
        _owner = owner;
    }

    private protected override void NameForNotices() => Instances.InstanceRegistry<T>.Of(Engine).NameForNotices(Target);

    internal override byte[] Serialize() =>
        DocumentCodec.Serialize(_owner, Unknown, Engine.Options);

    private protected override void ApplyState(byte[] document)
    {
        T fresh = T.NoDbCreateBlank();
        UnknownMembers unknown = DocumentCodec.Deserialize(document, fresh, FilePath, Engine.Options);
        _owner.NoDbCopyStateFrom(fresh);
        Unknown = unknown;
    }
}
