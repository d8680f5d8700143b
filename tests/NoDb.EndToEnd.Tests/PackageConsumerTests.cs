using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace NoDb.EndToEnd.Tests;

public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string RepositoryRoot = typeof(PackageConsumerTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NoDbRepositoryRoot").Value!;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodb-package-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task A_fresh_project_referencing_only_the_NoDb_package_compiles_a_controller_and_runs_it()
    {
        // A version of its own, so that no cached copy of an earlier build is restored instead.
        string version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        string feed = Path.Join(_work.FullName, "feed");
        string consumer = Path.Join(_work.FullName, "consumer");
        Directory.CreateDirectory(consumer);

        await Dotnet(RepositoryRoot, "pack", Path.Join("src", "NoDb.Runtime", "NoDb.Runtime.csproj"), "-c", "Release", "-o", feed, $"-p:Version={version}");
        Assert.True(File.Exists(Path.Join(feed, $"NoDb.{version}.nupkg")));

        File.WriteAllText(Path.Join(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="nodb-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Join(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net8.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <NoWarn>$(NoWarn);CS1591</NoWarn>
                <RollForward>Major</RollForward>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NoDb" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Join(consumer, "Program.cs"), """
            using NoDb;

            string run = Path.Join(args[0], "run-1");
            Directory.CreateDirectory(run);

            Forecast created = Forecast.Create(run, f => f.Days = 3);
            await created.UpdateAsync(f => f.Days++);
            await using (await created.LockAsync())
            {
                created.Notes.Add("checked");
            }

            Forecast reread = Forecast.LoadDetached(run);
            Console.WriteLine($"days={reread.Days} notes={string.Join(",", reread.Notes)} same={ReferenceEquals(created, Forecast.GetInstance(run))}");

            [NoDbController("forecast.nodb")]
            public partial class Forecast
            {
                public int Days { get; set; }
                public List<string> Notes { get; set; } = new();
            }
            """);

        await Dotnet(consumer, "build", "-c", "Release");
        string output = await Dotnet(consumer, "run", "-c", "Release", "--no-build", "--", _work.FullName);

        Assert.Contains("days=4 notes=checked same=True", output, StringComparison.Ordinal);

        // The analyzers come with the package: the same change outside a lock scope is a build error.
        File.WriteAllText(Path.Join(consumer, "Unsafe.cs"), """
            public static class Unsafe
            {
                public static void Bump(Forecast forecast) => forecast.Days++;
            }
            """);
        string failed = await Dotnet(consumer, expectSuccess: false, "build", "-c", "Release");
        Assert.Contains("Unsafe.cs(3,51): error NODB001: Writing 'Days' requires holding the lock of 'forecast'", failed, StringComparison.Ordinal);

        File.WriteAllText(Path.Join(consumer, "Unsafe.cs"), """
            public static class Unsafe
            {
                public static void Bump(Forecast forecast)
                {
                    using var _ = forecast.Lock();
                    forecast.Days++;
                }
            }
            """);
        await Dotnet(consumer, "build", "-c", "Release");

        // Helpers that change a controller their caller has locked: a [RequiresLock] parameter and extension receiver.
        // The consumer builds with warnings as errors, so this also proves that nothing here draws a warning.
        File.WriteAllText(Path.Join(consumer, "Helpers.cs"), """
            using NoDb;

            public static class ForecastHelpers
            {
                public static void Reset([RequiresLock] this Forecast forecast)
                {
                    forecast.Notes.Clear();
                    forecast.Days = 0;
                }

                public static void ApplyDefaults([RequiresLock] Forecast forecast)
                {
                    forecast.Reset();
                    forecast.Notes.Add("defaults");
                }

                public static async Task ResetAsync(Forecast forecast)
                {
                    if (await forecast.TryLockAsync() is not { } scope)
                    {
                        return;
                    }

                    await using (scope)
                    {
                        ApplyDefaults(forecast);
                    }

                    await forecast.UpdateAsync(f => f.Reset());
                }
            }
            """);
        await Dotnet(consumer, "build", "-c", "Release");

        // A call without the lock is NODB005; a controller that is not partial is NODB100, reported once (by the
        // analyzer only) and without lock diagnostics about it.
        File.WriteAllText(Path.Join(consumer, "Broken.cs"), """
            using NoDb;

            [NoDbController("broken.nodb")]
            public class Broken
            {
                public int Count { get; set; }
            }

            public static class BrokenUse
            {
                public static void Run(Forecast forecast, Broken broken)
                {
                    forecast.Reset();
                    broken.Count++;
                }
            }
            """);
        string broken = await Dotnet(consumer, expectSuccess: false, "build", "-c", "Release");
        Assert.Contains("Broken.cs(13,9): error NODB005: Calling 'Reset' requires holding the lock of 'forecast'", broken, StringComparison.Ordinal);
        string log = broken[..broken.IndexOf("Build FAILED.", StringComparison.Ordinal)]; // the summary repeats every error
        Assert.True(log.Split('\n').Count(line => line.Contains("error NODB100", StringComparison.Ordinal)) == 1, broken);

        // The help link opens the page shipped in the package (offline).
        Assert.Matches(@"error NODB005: .* \(file:///\S+/docs/diagnostics/NODB005\.md\)", broken);
        Assert.DoesNotContain("Broken.cs(14,", broken, StringComparison.Ordinal);

        // The diagnostic pages ship in the package, where the help links point.
        using (ZipArchive package = ZipFile.OpenRead(Path.Join(feed, $"NoDb.{version}.nupkg")))
        {
            Assert.Contains(package.Entries, e => e.FullName == "docs/diagnostics/NODB001.md");
            Assert.Contains(package.Entries, e => e.FullName == "docs/diagnostics/NODB100.md");
        }
    }

    private Task<string> Dotnet(string directory, params string[] args) => Dotnet(directory, expectSuccess: true, args);

    private async Task<string> Dotnet(string directory, bool expectSuccess, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A package cache of its own: the test neither reads nor leaves packages in the user's.
        start.Environment["NUGET_PACKAGES"] = Path.Join(_work.FullName, "packages");
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout;
        if (!expectSuccess)
        {
            Assert.NotEqual(0, process.ExitCode);
            return output + await stderr;
        }

        Assert.True(process.ExitCode == 0, new StringBuilder()
            .AppendLine($"dotnet {string.Join(' ', args)} failed with exit code {process.ExitCode} in {directory}")
            .AppendLine(output)
            .AppendLine(await stderr)
            .ToString());
        return output;
    }
}
