using System.Linq;

namespace NoDb.Generators.Parsing;

/// <summary>The rules for a controller file name, the same as the runtime's (NoDbPaths.ValidateFileName).</summary>
internal static class FileNameRules
{
    private const string Extension = ".nodb";

    private static readonly char[] Invalid = ['/', '\\', '\0', ':', '*', '?', '"', '<', '>', '|'];

    /// <summary>Why <paramref name="fileName"/> is not valid, or <see langword="null"/> if it is.</summary>
    public static string? Problem(string? fileName) =>
        fileName is null || fileName.Length == 0 ? "it is empty" :
        fileName.IndexOfAny(['/', '\\']) >= 0 ? "it contains a directory separator" :
        fileName.Contains("..") ? "it contains '..'" :
        !fileName.EndsWith(Extension, System.StringComparison.Ordinal) ? "it does not end in '.nodb'" :
        fileName.Length == Extension.Length ? "it has no name before '.nodb'" :
        fileName.Any(c => c < 32 || Invalid.Contains(c)) ? "it contains a character not allowed in file names" :
        null;
}
