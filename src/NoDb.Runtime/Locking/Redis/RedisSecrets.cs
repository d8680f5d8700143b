using System.Text.RegularExpressions;

namespace NoDb.Locking.Redis;

/// <summary>
/// Hides the secrets of a Redis configuration string before it goes into any message NoDb builds: the value of every
/// <c>password=</c> option (any case, with or without spaces), and the user information of a <c>redis://user:pass@host</c>
/// URI.
/// </summary>
internal static partial class RedisSecrets
{
    private const string Hidden = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        string redacted = PasswordOption().Replace(text, m => m.Groups["key"].Value + Hidden);
        return UriUserInfo().Replace(redacted, m => m.Groups["scheme"].Value + Hidden + "@");
    }

    /// <summary>
    /// The configuration string with every option's value hidden, for an error about the string itself: a misspelled
    /// password option ("pasword=…") is not recognised as one, so no value is shown at all; keys and endpoints are.
    /// </summary>
    public static string HideValues(string configuration) =>
        string.Join(',', Redact(configuration).Split(',').Select(part => part.IndexOf('=', StringComparison.Ordinal) is var at and >= 0 ? part[..(at + 1)] + Hidden : part));

    // password=... up to the next comma (StackExchange.Redis's separator) or the end; also sentinel/tls variants
    // such as "sentinelPassword=" or "Password =".
    [GeneratedRegex(@"(?<key>[A-Za-z]*password\s*=\s*)[^,]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordOption();

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s,?#]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UriUserInfo();
}
