namespace NoDb;

/// <summary>
/// Thrown by <see cref="NoDbRuntime.ClearLocksAsync"/> after it cleared every lock it could, when it refused to touch some
/// (a symbolic link or another file planted where a lock, fence or state folder should be). <see cref="Cleared"/> lists the
/// holders whose locks it did clear; the message names each refusal and why.
/// </summary>
public sealed class NoDbClearLocksIncompleteException : NoDbException
{
    /// <summary>Creates the exception for the run <paramref name="runId"/>.</summary>
    public NoDbClearLocksIncompleteException(string runId, IReadOnlyList<NoDbLockHolder> cleared, IReadOnlyList<string> refused)
        : base($"The locks of run '{runId}' were cleared ({cleared.Count} held), except what NoDb refused to touch: " +
               string.Join("; ", refused) + ". Remove what is named there; NoDb recreates its own files.")
    {
        ArgumentNullException.ThrowIfNull(refused);
        Cleared = cleared;
        Refused = refused;
    }

    /// <summary>The holders whose locks were cleared.</summary>
    public IReadOnlyList<NoDbLockHolder> Cleared { get; }

    /// <summary>Each refusal: the path and the reason.</summary>
    public IReadOnlyList<string> Refused { get; }
}
