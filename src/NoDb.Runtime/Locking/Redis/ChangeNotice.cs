namespace NoDb.Locking.Redis;

/// <summary>
/// The message published on <c>nodb:changed</c> after a commit: <c>&lt;run id&gt;/&lt;file&gt;</c>, a NUL, and the origin
/// (the committing backend's random id), so that a process does not mark stale what it has just written itself. NUL can
/// never be part of a file name. A message without an origin (from an older NoDb) names the document alone.
/// </summary>
internal readonly record struct ChangeNotice(string Document, string? Origin)
{
    private const char Separator = '\0';

    public static string Format(string document, string origin) => document + Separator + origin;

    public static ChangeNotice? Parse(string message)
    {
        if (message.Length == 0)
        {
            return null;
        }

        int separator = message.IndexOf(Separator, StringComparison.Ordinal);
        return separator < 0 ? new ChangeNotice(message, null) : new ChangeNotice(message[..separator], message[(separator + 1)..]);
    }
}
