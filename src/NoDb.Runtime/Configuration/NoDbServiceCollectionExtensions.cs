using NoDb;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NoDb with a dependency-injection container.</summary>
public static class NoDbServiceCollectionExtensions
{
    /// <summary>
    /// Configures the process-wide NoDb runtime (see <see cref="NoDbRuntime.Configure"/>) and registers the options
    /// in force as a singleton.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the defaults; may be <see langword="null"/>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddNoDb(this IServiceCollection services, Action<NoDbOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        NoDbOptions? configured = null;
        NoDbRuntime.Configure(options =>
        {
            configure?.Invoke(options);
            configured = options;
        });
        services.AddSingleton(configured!);
        return services;
    }
}
