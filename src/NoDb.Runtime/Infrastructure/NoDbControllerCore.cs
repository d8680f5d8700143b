using System.ComponentModel;
using NoDb.Diagnostics;
using NoDb.Engine;
using NoDb.Locking;
using NoDb.Locking.FileLocks;
using NoDb.Storage;

namespace NoDb.Infrastructure;

/// <summary>
/// The runtime half of one controller instance: where it lives, its committed document, and its lock. Generated
/// controller members delegate here; user code calls the controller's own members instead.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class NoDbControllerCore
{
    private readonly object _stateSync = new();
    private volatile NoDbLockScope? _activeScope;
    private volatile bool _mustReload;
    private bool _expectAbsent;
    private byte[]? _baseline;

    private (LockCoordinator Owner, LocalGate Gate)? _gate;

    private protected NoDbControllerCore(LockTarget target, NoDbEngine engine)
    {
        Target = target;
        Engine = engine;
    }

    /// <summary>
    /// The engine this instance came from (its registry and serialization options). New scopes use the engine in force
    /// when they start (<see cref="Current"/>); a scope finishes on the engine it started on.
    /// </summary>
    internal NoDbEngine Engine { get; }

    /// <summary>The engine in force now, for a new scope or a lock operation.</summary>
    private static NoDbEngine Current => NoDbRuntime.Engine;

    /// <summary>The document's in-process gate in <paramref name="coordinator"/>, shared with every other instance of it while any lives.</summary>
    internal LocalGate GateIn(LockCoordinator coordinator)
    {
        if (_gate is { } known && ReferenceEquals(known.Owner, coordinator))
        {
            return known.Gate;
        }

        LocalGate gate = coordinator.GateFor(Target);
        _gate = (coordinator, gate);
        return gate;
    }

    /// <summary>The document's gate in the engine in force (for tests and diagnostics).</summary>
    internal LocalGate Gate => GateIn(Current.Coordinator);

    /// <summary>The absolute, normalised working directory.</summary>
    public string WorkingDirectory => Target.WorkingDirectory;

    /// <summary>The run id: the last segment of the working directory.</summary>
    public string RunId => Target.RunId;

    /// <summary>The document's absolute path.</summary>
    public string FilePath => Target.DocumentPath;

    /// <summary>Whether the run is read-only (a <c>READONLY</c> file exists in the working directory).</summary>
    public bool IsReadOnly => Target.IsReadOnly;

    internal LockTarget Target { get; }

    /// <summary>The error for a controller made with <see langword="new"/> and used as if it had a working directory.</summary>
    /// <param name="controllerName">The controller class's name.</param>
    public static InvalidOperationException NotAttached(string controllerName) => new(
        $"This {controllerName} was created with 'new' and has no working directory. Use {controllerName}.Create, " +
        $"{controllerName}.GetInstance or {controllerName}.LoadDetached to get one that is backed by a document.");

    /// <summary>The error for a second attach of runtime state to one controller instance.</summary>
    /// <param name="controllerName">The controller class's name.</param>
    public static InvalidOperationException AlreadyAttached(string controllerName) => new(
        $"This {controllerName} is already attached to a working directory; the runtime attaches each instance once.");

    /// <summary>The document as last committed or read, byte for byte; <see langword="null"/> before the first commit.</summary>
    internal byte[]? CommittedDocument { get; private set; }

    /// <summary>The stamp of the document version the instance holds; <see langword="null"/> when unknown or absent.</summary>
    internal FileStamp? CommittedStamp { get; private set; }

    internal UnknownMembers Unknown { get; private protected set; } = UnknownMembers.None;

    internal bool IsHeldHere => _activeScope is not null;

    /// <summary>Waits for the lock; see the controller's <c>LockAsync</c>.</summary>
    public ValueTask<NoDbLockScope> LockAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Current.Coordinator.LockAsync(this, timeout, documentMustExist: true, cancellationToken);

    /// <summary>Takes the lock if it is free now; see the controller's <c>TryLockAsync</c>.</summary>
    public ValueTask<NoDbLockScope?> TryLockAsync(CancellationToken cancellationToken) =>
        Current.Coordinator.TryLockAsync(this, cancellationToken);

    /// <summary>Waits for the lock, blocking the thread; see the controller's <c>Lock</c>.</summary>
    public NoDbLockScope Lock(TimeSpan? timeout) => Current.Coordinator.Acquire(this, timeout, documentMustExist: true);

    /// <summary>Waits for the lock and returns its token; see the controller's <c>AcquireLockAsync</c>.</summary>
    public ValueTask<NoDbLockToken> AcquireLockAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // Not an async method: the flow mark pushed by LockAsync must stay in the caller's context.
        ValueTask<NoDbLockScope> acquisition = LockAsync(timeout, cancellationToken);
        return acquisition.IsCompletedSuccessfully ? ValueTask.FromResult(acquisition.Result.Token) : TokenOf(acquisition);

        static async ValueTask<NoDbLockToken> TokenOf(ValueTask<NoDbLockScope> pending) => (await pending.ConfigureAwait(false)).Token;
    }

    /// <summary>Writes the current state under the token's lock and keeps the lock.</summary>
    public ValueTask DumpAsync(NoDbLockToken token, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ScopeOf(token, "dump").PersistAsync(cancellationToken);
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <summary>Releases the token's lock without writing; unsaved changes are discarded.</summary>
    public ValueTask UnlockAsync(NoDbLockToken token, CancellationToken cancellationToken) => Run(() =>
    {
        cancellationToken.ThrowIfCancellationRequested();
        ScopeOf(token, "unlock").Discard();
    });

    /// <summary>Writes the current state (if it changed) and releases the token's lock.</summary>
    public ValueTask DumpAndUnlockAsync(NoDbLockToken token, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ScopeOf(token, "dump and unlock").DisposeAsync();
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <summary>Takes the lock away from whoever holds it, here or in another process.</summary>
    public async ValueTask ForceUnlockAsync(CancellationToken cancellationToken)
    {
        NoDbEngine engine = Current;
        await engine.Locks.ForceUnlockAsync(Target, cancellationToken).ConfigureAwait(false);
        engine.Coordinator.ForceRelease(Target, "the lock was forced open with ForceUnlockAsync");
    }

    /// <summary>Whether any holder, here or in another process, has the lock now.</summary>
    public ValueTask<bool> IsLockedAsync(CancellationToken cancellationToken) =>
        Current.Locks.IsLockedAsync(Target, cancellationToken);

    /// <summary>
    /// Writes the state if it differs from what was read or last written, under the lease's fence, unless the document
    /// changed on disk since (<see cref="NoDbStaleWriteException"/>). If this throws before the write, the committed state
    /// is restored and nothing was written; once the write happened, it is reported as written.
    /// </summary>
    /// <param name="engine">The engine the scope was taken on.</param>
    /// <param name="lease">The lock held.</param>
    /// <param name="synchronous">Whether the caller is the synchronous <c>Dispose</c> (waits block its thread; nothing is awaited).</param>
    /// <param name="cancellationToken">Cancels before the write.</param>
    internal async ValueTask PersistAsync(NoDbEngine engine, ILockLease lease, bool synchronous, CancellationToken cancellationToken)
    {
        long started = engine.Time.GetTimestamp();
        if (Changed() is not { } document)
        {
            NoDbTelemetry.CommitUnchanged(engine, Target, started);
            return;
        }

        System.Diagnostics.Activity? activity = NoDbTelemetry.StartCommit(engine, Target, lease.FencingNumber);

        FileStamp? expected;
        bool expectAbsent;
        byte[]? expectedBytes;
        lock (_stateSync)
        {
            expected = CommittedStamp;
            expectAbsent = _expectAbsent;
            expectedBytes = CommittedDocument;
        }

        FileStamp? written = null;
        RunDirectory run;
        try
        {
            run = RunDirectory.Open(WorkingDirectory);
        }
        catch (Exception e)
        {
            NoDbTelemetry.CommitEnded(engine, Target, started, activity, e);
            RestoreCommitted();
            throw;
        }

        using (run)
        {
            try
            {
                var wait = new FenceWait(engine.FenceWait, synchronous, cancellationToken, engine.Time);
                await lease.CommitFencedAsync(run, () =>
                {
                    // Under the fence: no NoDb writer can move the document now, so a difference is someone who did not lock.
                    FileStamp? now = run.StampOf(Target.FileName);
                    if (StaleChange(expected, expectAbsent, now) is { } change)
                    {
                        throw new NoDbStaleWriteException(FilePath, change);
                    }

                    // Times move in clock ticks (1-4 ms on many kernels): a same-size write in place within one tick of the
                    // version read leaves the stamp as it was. Only then are the bytes compared.
                    if (now is { } current && expectedBytes is not null && ChangedWithinClockResolution(current) &&
                        DocumentFile.TryRead(run, Target.FileName) is { } onDisk && !onDisk.Bytes.AsSpan().SequenceEqual(expectedBytes))
                    {
                        throw new NoDbStaleWriteException(FilePath, "it was rewritten in place within the clock's resolution");
                    }

                    written = AtomicFile.Replace(run, Target.FileName, document, now);
                }, wait).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                NoDbTelemetry.CommitEnded(engine, Target, started, activity, e);
                lock (_stateSync)
                {
                    _mustReload = true;
                }

                RestoreCommitted();
                throw;
            }

            Committed(engine, run, document, written, lease.FencingNumber);
            NoDbTelemetry.CommitEnded(engine, Target, started, activity, error: null);
        }
    }

    // The file system's clock, so the real one: never NoDbOptions.TimeProvider.
    private static bool ChangedWithinClockResolution(FileStamp stamp) =>
        ((DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100) - stamp.ChangedNanoseconds < 50_000_000;

    /// <summary>How the document on disk differs from the version this holder read, or <see langword="null"/> if it does not.</summary>
    private static string? StaleChange(FileStamp? expected, bool expectAbsent, FileStamp? now) =>
        (expected, now) switch
        {
            (null, null) => null,
            (null, { } appeared) => expectAbsent ? (appeared.IsLink ? "a symbolic link was put in its place" : "it was created") : null,
            ({ }, null) => "it was deleted",
            ({ } before, { } after) when !before.SameVersion(after) => after.IsLink ? "a symbolic link was put in its place" : "it was rewritten",
            _ => null,
        };

    /// <summary>The serialized state if it differs from what was read or last written, else <see langword="null"/>.</summary>
    private byte[]? Changed()
    {
        try
        {
            byte[] document = Serialize();
            byte[]? baseline = _baseline ?? CommittedDocument;
            return baseline is not null && baseline.AsSpan().SequenceEqual(document) ? null : document;
        }
        catch
        {
            RestoreCommitted();
            throw;
        }
    }

    private void Committed(NoDbEngine engine, RunDirectory run, byte[] document, FileStamp? stamp, long fencingNumber)
    {
        // The document is on disk and readers see it: record it before anything else can fail.
        lock (_stateSync)
        {
            CommittedDocument = document;
            _baseline = document;
            CommittedStamp = stamp;
            _expectAbsent = false;
            _mustReload = stamp is null;
        }

        try
        {
            run.Flush();
        }
        catch (IOException e)
        {
            throw new IOException(
                $"'{FilePath}' was written (readers see the new content), but flushing its folder to disk failed: {e.Message} " +
                "The change may not survive a power loss; do not redo it.", e);
        }

        engine.Cache?.Committed(Target, run, fencingNumber, document, stamp);
    }

    internal void RestoreCommitted()
    {
        lock (_stateSync)
        {
            if (CommittedDocument is { } committed)
            {
                Apply(committed);
            }
        }
    }

    /// <summary>Restores the committed state unless a scope in this process holds the instance (checked atomically).</summary>
    internal void RestoreCommittedIfIdle()
    {
        lock (_stateSync)
        {
            if (_activeScope is null && CommittedDocument is { } committed)
            {
                Apply(committed);
            }
        }
    }

    /// <summary>Called with the lock held: make the instance match the document on disk, whoever wrote it.</summary>
    /// <summary>Registers the shared instance of this document for change notices, if it is not yet.</summary>
    private protected abstract void NameForNotices();

    internal void OnAcquired(NoDbLockScope scope, bool documentMustExist)
    {
        lock (_stateSync)
        {
            _activeScope = scope;
        }

        if (Engine.Cache is not null)
        {
            NameForNotices(); // the first Redis lock of a run gives it its identity, which notices name it by
        }

        using RunDirectory? run = RunDirectory.TryOpen(WorkingDirectory);

        // The version this instance holds is still the one on disk (the common case: this process wrote it last): no read.
        if (run is not null && !_mustReload && CommittedDocument is not null && CommittedStamp is { } known &&
            run.StampOf(Target.FileName) is { } current && current.SameVersion(known))
        {
            lock (_stateSync)
            {
                _expectAbsent = false;
            }

            return;
        }

        (byte[] Bytes, FileStamp Stamp)? onDisk = run is null ? null : DocumentFile.TryRead(run, Target.FileName);
        if (onDisk is not { } read)
        {
            if (documentMustExist)
            {
                throw new NoDbNotFoundException(FilePath);
            }

            lock (_stateSync)
            {
                CommittedStamp = null;
                _expectAbsent = true;
            }

            return;
        }

        lock (_stateSync)
        {
            if (_mustReload || CommittedDocument is not { } committed || !committed.AsSpan().SequenceEqual(read.Bytes))
            {
                Apply(read.Bytes);
            }

            CommittedStamp = read.Stamp;
            _expectAbsent = false;
            _mustReload = false;
        }
    }

    internal void OnReleased(NoDbLockScope scope)
    {
        lock (_stateSync)
        {
            if (ReferenceEquals(_activeScope, scope))
            {
                _activeScope = null;
            }

            // A scope that ended without a clean commit may leave state behind that is not the document's.
            _mustReload |= scope.Lease.LostReason is not null;
        }
    }

    /// <summary>
    /// Reloads the instance in place if the document changed on disk, unless this process holds its lock (a holder's
    /// unsaved changes are never wiped). Returns <see langword="false"/> if the document no longer exists.
    /// </summary>
    internal bool RefreshIfChanged()
    {
        if (_activeScope is not null)
        {
            return true;
        }

        using RunDirectory? run = RunDirectory.TryOpen(WorkingDirectory);
        if (run?.StampOf(Target.FileName) is not { } stamp)
        {
            return false;
        }

        if (CommittedStamp is { } known && known.SameVersion(stamp) && !_mustReload)
        {
            return true;
        }

        if (DocumentFile.TryRead(run, Target.FileName) is not { } read)
        {
            return false;
        }

        lock (_stateSync)
        {
            // A holder here may have acquired, committed and released while the bytes were read: applying them now
            // would roll the instance back. Apply only what is still the current file.
            if (_activeScope is not null || run.StampOf(Target.FileName) is not { } current || !current.SameVersion(read.Stamp))
            {
                return true;
            }

            if (_mustReload || CommittedDocument is not { } committed || !committed.AsSpan().SequenceEqual(read.Bytes))
            {
                Apply(read.Bytes);
            }

            _mustReload = false;
            CommittedStamp = read.Stamp;
        }

        return true;
    }

    /// <summary>Reads <paramref name="document"/>, found on disk with <paramref name="stamp"/>, into the instance as committed.</summary>
    internal void Load(byte[] document, FileStamp? stamp)
    {
        lock (_stateSync)
        {
            Apply(document);
            CommittedStamp = stamp;
        }
    }

    /// <summary>Serializes the instance's current state, unknown members included.</summary>
    internal abstract byte[] Serialize();

    /// <summary>Replaces the instance's state with <paramref name="document"/> (identity kept) and records it as committed.</summary>
    private protected abstract void ApplyState(byte[] document);

    private void Apply(byte[] document)
    {
        ApplyState(document);
        CommittedDocument = document;

        // What the state serializes to as read: a scope that changes nothing matches it and writes nothing, even when the
        // file's own formatting differs from NoDb's.
        try
        {
            byte[] baseline = Serialize();
            _baseline = baseline.AsSpan().SequenceEqual(document) ? document : baseline;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            _baseline = null; // a persist reports the problem, if one is ever asked for
        }
    }

    private NoDbLockScope ScopeOf(NoDbLockToken token, string operation)
    {
        NoDbLockScope scope = token.Scope ?? throw new NoDbLockTokenMismatchException(
            $"Cannot {operation} '{FilePath}' with an empty token (default(NoDbLockToken)). Pass the token AcquireLockAsync returned.",
            FilePath);

        if (!ReferenceEquals(scope.Core, this))
        {
            throw new NoDbLockTokenMismatchException(
                $"Cannot {operation} '{FilePath}' with the token of '{scope.Core.FilePath}' (#{scope.Lease.FencingNumber}): " +
                "a token only works on the controller instance whose lock returned it.",
                FilePath);
        }

        scope.ThrowIfReleased(operation);
        return scope;
    }

    private static ValueTask Run(Action action)
    {
        try
        {
            action();
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }
}
