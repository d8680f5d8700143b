using System.Runtime.InteropServices;

namespace NoDb.Engine;

/// <summary>
/// Calls back after each full (generation 2) garbage collection, for as long as the callback says to and its target lives:
/// the moment when weakly held entries have died and their bookkeeping can be swept. An object whose finalizer runs once
/// per collection of its generation and registers itself again (the pattern the BCL's pools use to trim).
/// </summary>
internal sealed class Gen2Callback
{
    // A raw weak handle, not a WeakReference: a WeakReference owned by this object would be finalized (and cleared) in
    // the same pass as this object, before this finalizer could read it.
    private GCHandle _target;
    private readonly Func<object, bool> _callback;

    private Gen2Callback(object target, Func<object, bool> callback)
    {
        _target = GCHandle.Alloc(target, GCHandleType.Weak);
        _callback = callback;
    }

    ~Gen2Callback()
    {
        if (_target.Target is not { } target)
        {
            _target.Free();
            return;
        }

        bool again;
        try
        {
            again = _callback(target);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            again = true; // a sweep that failed is tried again after the next collection
        }

        if (again)
        {
            GC.ReRegisterForFinalize(this);
        }
    }

    /// <summary>Calls <paramref name="callback"/> with <paramref name="target"/> after every full collection while it returns true.</summary>
    public static void Register(object target, Func<object, bool> callback) => _ = new Gen2Callback(target, callback);
}
