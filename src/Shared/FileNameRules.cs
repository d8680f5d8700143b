// Linked into NoDb.Generators (netstandard2.0), NoDb.Analyzers and NoDb.Runtime: the one copy of the rule, so that the
// generator refuses at compile time exactly what the runtime refuses at run time.
namespace NoDb.Shared;

/// <summary>The rules for a controller file name: a plain, portable file name ending in <c>.nodb</c>.</summary>
internal static class FileNameRules
{
    public const string Extension = ".nodb";

    private static readonly char[] Invalid = ['/', '\\', '\0', ':', '*', '?', '"', '<', '>', '|'];

    /// <summary>Why <paramref name="fileName"/> is not valid, or <see langword="null"/> if it is.</summary>
    public static string? Problem(string? fileName)
    {
        if (fileName is null || fileName.Length == 0)
        {
            return "it is empty";
        }

        if (fileName.IndexOfAny(['/', '\\']) >= 0)
        {
            return "it contains a directory separator";
        }

        if (fileName.Contains(".."))
        {
            return "it contains '..'";
        }

        if (!fileName.EndsWith(Extension, System.StringComparison.Ordinal))
        {
            return "it does not end in '.nodb'";
        }

        if (fileName.Length == Extension.Length)
        {
            return "it has no name before '.nodb'";
        }

        foreach (char c in fileName)
        {
            if (c < 32 || System.Array.IndexOf(Invalid, c) >= 0)
            {
                return "it contains a character not allowed in file names";
            }
        }

        return null;
    }
}
