using Microsoft.Extensions.Options;

namespace NoDb.Hosting;

/// <summary>
/// Checks the host's options with the same rules as <see cref="NoDbRuntime.Configure"/> (<see cref="NoDbOptions.Validate"/>),
/// so that an invalid setting fails the host's start with a message naming it (<c>NoDb:LeaseDuration</c>, …).
/// </summary>
internal sealed class NoDbOptionsValidation : IValidateOptions<NoDbOptions>
{
    public ValidateOptionsResult Validate(string? name, NoDbOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            string setting = e.ParamName is { } parameter ? $"{NoDbConfigurationBinding.SectionName}:{parameter}" : NoDbConfigurationBinding.SectionName;
            return ValidateOptionsResult.Fail($"{setting} is invalid: {e.Message}");
        }
    }
}
