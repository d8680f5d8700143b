using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NoDb.Generators.Diagnostics;
using NoDb.Generators.Emitting;
using NoDb.Generators.Model;
using NoDb.Generators.Parsing;

namespace NoDb.Generators;

/// <summary>
/// Writes the members of every <c>[NoDbController]</c> class: identity, instances, lock scopes, the token API and
/// reflection-free serialization, all delegating to NoDb.Runtime.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NoDbControllerGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(ControllerParser.ControllerAttribute, ControllerParser.IsCandidate, ControllerParser.Parse)
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<ControllerSpec> specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValueProvider<ImmutableArray<FileNameClaim>> claims = parsed
            .Where(static result => result.FileNameClaim is not null)
            .Select(static (result, _) => result.FileNameClaim!)
            .Collect()
            .WithTrackingName(TrackingNames.FileNameClaims);

        context.RegisterSourceOutput(specs, static (output, spec) =>
            output.AddSource(spec.HintName, SourceText.From(ControllerEmitter.Emit(spec), System.Text.Encoding.UTF8)));

        context.RegisterSourceOutput(diagnostics, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));

        context.RegisterSourceOutput(claims, static (output, all) =>
        {
            // Case-insensitive: on Windows and macOS 'Climate.nodb' and 'climate.nodb' are one file.
            foreach (IGrouping<string, FileNameClaim> group in all.GroupBy(c => c.FileName, System.StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            {
                FileNameClaim[] clashing = group.OrderBy(c => c.ControllerName, System.StringComparer.Ordinal).ToArray();
                for (int i = 1; i < clashing.Length; i++)
                {
                    output.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.DuplicateFileName,
                        clashing[i].Location?.ToLocation(),
                        clashing[0].ControllerName,
                        clashing[i].ControllerName,
                        group.Key));
                }
            }
        });
    }
}
