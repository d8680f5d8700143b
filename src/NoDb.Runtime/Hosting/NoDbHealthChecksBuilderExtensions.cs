using Microsoft.Extensions.Diagnostics.HealthChecks;
using NoDb.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NoDb's health check.</summary>
public static class NoDbHealthChecksBuilderExtensions
{
    /// <summary>The name the check is registered under unless another is given.</summary>
    public const string DefaultName = "nodb";

    /// <summary>
    /// Adds the health check <c>nodb</c>: on the Redis backend, Redis answers a <c>PING</c> and NoDb's change-notice
    /// subscription is connected; on both backends, a lock is taken and a document written under the fence in a probe
    /// working directory under the temp folder. It checks the runtime the host started (or, without <c>AddNoDb</c>, the
    /// one in force).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status reported on failure; <see cref="HealthStatus.Unhealthy"/> by default.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddNoDb(
        this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new NoDbHealthCheck(sp), failureStatus, tags));
    }
}
