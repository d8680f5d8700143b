using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NoDb;
using NoDb.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NoDb with a dependency-injection container.</summary>
public static class NoDbServiceCollectionExtensions
{
    /// <summary>
    /// Registers NoDb for a host. Nothing changes process-wide here: when the host starts, a hosted service builds the
    /// runtime from the options (the <c>NoDb</c> configuration section when an <see cref="IConfiguration"/> is registered,
    /// then <paramref name="configure"/>, then the builder's calls) and puts it in force; when the host stops, it is
    /// disposed. Invalid options fail the host's start with a message naming the setting. The options are also
    /// registered as <see cref="NoDbOptions"/> and <see cref="IOptions{TOptions}"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options; may be <see langword="null"/>.</param>
    /// <returns>A builder to choose the backend and change the options.</returns>
    public static INoDbBuilder AddNoDb(this IServiceCollection services, Action<NoDbOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        NoDbRedisSource redis = services.FirstOrDefault(d => d.ServiceType == typeof(NoDbRedisSource))?.ImplementationInstance as NoDbRedisSource
            ?? new NoDbRedisSource();
        if (!services.Any(d => d.ServiceType == typeof(NoDbRedisSource)))
        {
            services.AddSingleton(redis);
            services.AddOptions<NoDbOptions>().ValidateOnStart();
            services.AddSingleton<IConfigureOptions<NoDbOptions>>(sp => new NoDbConfigurationBinding(sp.GetService<IConfiguration>()));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NoDbOptions>, NoDbOptionsValidation>());
            services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<NoDbOptions>>().Value);
            services.AddSingleton<NoDbHostedService>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<NoDbHostedService>());
        }

        var builder = new NoDbBuilder(services, redis);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }
}
