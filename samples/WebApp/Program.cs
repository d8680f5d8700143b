using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WebApp;

// dotnet run --project samples/WebApp [-- --urls http://127.0.0.1:5080 --NoDb:Redis=127.0.0.1:6379 --WebApp:Runs=4]
// A minimal API and a build worker sharing runs, as wepppy's web requests and RQ jobs do; samples/WebApp/load.sh drives it.
// The content root is the app's folder, so that its appsettings.json is read from whatever folder it is started in.
WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// NoDb from the "NoDb" section (NoDb:Redis selects Redis; empty or absent, the embedded file locks), started with the host.
builder.Services.AddNoDb();
builder.Services.AddSingleton(TimeProvider.System);

builder.Services.Configure<WebAppOptions>(builder.Configuration.GetSection(WebAppOptions.SectionName));
builder.Services.AddSingleton<RunCatalog>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RunCatalog>());
builder.Services.AddSingleton<BuildJobs>();
builder.Services.AddHostedService<BuildWorker>();

builder.Services.AddHealthChecks()
    .AddNoDb()
    .AddCheck<RunCatalog>("runs");

bool console = builder.Configuration.GetValue<bool>($"{WebAppOptions.SectionName}:{nameof(WebAppOptions.ConsoleExporter)}");
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("NoDb.WebApp"))
    .WithMetrics(metrics =>
    {
        metrics.AddMeter("NoDb", "Microsoft.AspNetCore.Hosting")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
        if (console)
        {
            metrics.AddConsoleExporter();
        }
    })
    .WithTracing(tracing =>
    {
        tracing.AddSource("NoDb");
        if (console)
        {
            tracing.AddConsoleExporter();
        }
    });

WebApplication app = builder.Build();

app.MapHealthChecks("/healthz");
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapPlayback();

string? addressFile = app.Services.GetRequiredService<IOptions<WebAppOptions>>().Value.AddressFile;
if (addressFile is not null)
{
    app.Lifetime.ApplicationStarted.Register(() => ListeningAddress.Write(addressFile, app.Urls));
}

await app.RunAsync();
