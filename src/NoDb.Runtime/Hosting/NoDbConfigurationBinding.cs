using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace NoDb.Hosting;

/// <summary>
/// Binds the <c>NoDb</c> configuration section onto the options, by hand rather than with the reflection binder, so that
/// the runtime stays trimming- and AOT-safe and a value that does not parse fails naming its key.
/// </summary>
internal sealed class NoDbConfigurationBinding(IConfiguration? configuration) : IConfigureOptions<NoDbOptions>
{
    /// <summary>The configuration section NoDb reads.</summary>
    public const string SectionName = "NoDb";

    /// <summary>The key of the Redis configuration string: <c>NoDb:Redis</c>.</summary>
    public const string RedisKey = "Redis";

    public void Configure(NoDbOptions options)
    {
        if (configuration?.GetSection(SectionName) is not { } section)
        {
            return;
        }

        var errors = new List<string>();
        if (section[RedisKey] is { } redis)
        {
            // "NoDb:Redis": a configuration string selects Redis; an empty value selects the embedded backend.
            if (string.IsNullOrWhiteSpace(redis))
            {
                options.UseFileLocks();
            }
            else
            {
                options.UseRedis(redis);
            }
        }

        options.DefaultLockTimeout = TimeSpanOf(section, nameof(NoDbOptions.DefaultLockTimeout), options.DefaultLockTimeout, errors);
        options.LeaseCheckInterval = TimeSpanOf(section, nameof(NoDbOptions.LeaseCheckInterval), options.LeaseCheckInterval, errors);
        options.LeaseDuration = TimeSpanOf(section, nameof(NoDbOptions.LeaseDuration), options.LeaseDuration, errors);
        options.CacheTimeToLive = TimeSpanOf(section, nameof(NoDbOptions.CacheTimeToLive), options.CacheTimeToLive, errors);
        options.RefreshInterval = TimeSpanOf(section, nameof(NoDbOptions.RefreshInterval), options.RefreshInterval, errors);
        options.SlowLockWaitThreshold = TimeSpanOf(section, nameof(NoDbOptions.SlowLockWaitThreshold), options.SlowLockWaitThreshold, errors);
        if (section[nameof(NoDbOptions.WriteIndented)] is { } indented)
        {
            if (bool.TryParse(indented, out bool value))
            {
                options.WriteIndented = value;
            }
            else
            {
                errors.Add($"{SectionName}:{nameof(NoDbOptions.WriteIndented)} is '{indented}', not true or false.");
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(NoDbOptions), errors);
        }
    }

    private static TimeSpan TimeSpanOf(IConfigurationSection section, string key, TimeSpan current, List<string> errors)
    {
        if (section[key] is not { } text)
        {
            return current;
        }

        if (string.Equals(text.Trim(), "Infinite", StringComparison.OrdinalIgnoreCase))
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value))
        {
            return value;
        }

        errors.Add($"{SectionName}:{key} is '{text}', not a time span such as 00:00:30 (or Infinite).");
        return current;
    }
}
