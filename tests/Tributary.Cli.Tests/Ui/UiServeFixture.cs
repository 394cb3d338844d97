using Tributary.Testing.Processes;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Testing.Runs;

namespace Tributary.Cli.Tests.Ui;

/// <summary>
/// One `tributary serve` (a child process on a test Azurite) with one taxi run that has rejects, and one headless
/// Debian chromium driven by Playwright (no browser download: apt-get installs chromium when it is missing).
/// </summary>
public sealed partial class UiServeFixture : IAsyncLifetime
{
    public const string ApiKey = "ui-test-key";
    public const string Dataset = "taxi";
    private const string Chromium = "/usr/bin/chromium";

    // Test classes sharing this fixture type start their instances at once: one apt-get at a time.
    private static readonly SemaphoreSlim Installing = new(1, 1);

    private readonly AzuriteFixture azurite = new();
    private readonly string work = Directory.CreateTempSubdirectory("tributary-ui-").FullName;
    private ServeChild? serve;
    private IPlaywright? playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public string OneTimeToken { get; private set; } = "";

    public string RunId { get; private set; } = "";

    public string RawFile { get; private set; } = "";

    public RunManifest Manifest { get; private set; } = null!;

    public BlobStore Store { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots of the pages, kept as test artefacts.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public string ServeOutput => serve?.Output ?? "";

    /// <summary>Seconds each setup step took (Azurite, serve, the run, the browser), for the test log.</summary>
    public string Timings { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        var browser = Task.Run(LaunchBrowserAsync);
        await azurite.InitializeAsync();
        var azuriteSeconds = clock.Elapsed.TotalSeconds;
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
        {
            ["Tributary:Api:Port"] = "0",
            ["Tributary:Api:Keys:0"] = ApiKey,
        });
        serve = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));
        var serveSeconds = clock.Elapsed.TotalSeconds;
        var announced = UiLine().Match(serve.Output);
        Assert.True(announced.Success, $"serve did not print the UI address and token:{Environment.NewLine}{serve.Output}");
        BaseAddress = new Uri(announced.Groups["url"].Value);
        OneTimeToken = announced.Groups["token"].Value;

        // 3,000 generated trips with the generator's share of bad rows, dropped as a user would.
        RawFile = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(RawFile, "csv", 3000, seed: 21, firstTripId: 1);
        Store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        await Store.EnsureContainersAsync();
        var name = $"{Dataset}/ui/trips.csv";
        var uploaded = await Store.Blob(BlobContainers.Incoming, name).UploadAsync(RawFile, overwrite: true);
        RunId = RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString());
        Manifest = await WaitForRunAsync(configuration, TimeSpan.FromMinutes(2));
        var runSeconds = clock.Elapsed.TotalSeconds;
        Browser = await browser;
        Timings = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"azurite {azuriteSeconds:0.0} s, serve started at {serveSeconds:0.0} s, run done at {runSeconds:0.0} s (run took {Manifest.Timings.TotalSeconds:0.0} s), browser ready at {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        serve?.Dispose();
        await azurite.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    /// <summary>
    /// The run's manifest (its orchestration's output, the same one it commits) once the run has ended: the tests'
    /// shared wait, <see cref="RunEnd"/>, through a client of serve's task hub. Unlike RunWaiter, a run that did not
    /// complete reports serve's output, the only log of the child process.
    /// </summary>
    private async Task<RunManifest> WaitForRunAsync(IConfiguration configuration, TimeSpan timeout)
    {
        await using var client = await TestHosts.StartAsync(configuration, HostRole.ClientOnly, watch: false);
        var ended = await RunEnd.WaitAsync(client.Client, RunId, timeout);
        if (ended is { RuntimeStatus: OrchestrationRuntimeStatus.Completed })
        {
            return ended.ReadOutputAs<RunManifest>()!;
        }

        var outcome = ended is null ? $"did not end in {timeout}" : $"ended {ended.RuntimeStatus}";
        throw new InvalidOperationException($"run {RunId} {outcome}:{Environment.NewLine}{serve!.Output}");
    }

    /// <summary>
    /// The tests run as root on Debian: the distribution's chromium, never a downloaded browser build. A fresh machine
    /// has no package lists (apt does not know chromium before `apt-get update`), and another test project may hold
    /// apt's lock at the same moment (kubectl): apt waits for the lock, and a failed attempt is retried.
    /// </summary>
    private static async Task InstallChromiumAsync()
    {
        await Installing.WaitAsync();
        try
        {
            var log = new System.Text.StringBuilder();
            for (var attempt = 1; attempt <= 3 && !File.Exists(Chromium); attempt++)
            {
                log.Append(await AptGetAsync("update")).Append(await AptGetAsync("install -y chromium"));
            }

            Assert.True(File.Exists(Chromium), $"apt-get install -y chromium did not install {Chromium}:{Environment.NewLine}{log}");
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Runs apt-get (waiting up to 5 minutes for its lock); returns its exit code and error output.</summary>
    private static async Task<string> AptGetAsync(string arguments)
    {
        var start = new ProcessStartInfo("apt-get", $"-o DPkg::Lock::Timeout=300 {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DEBIAN_FRONTEND"] = "noninteractive" },
        };
        using var apt = Process.Start(start)!;
        var output = apt.StandardOutput.ReadToEndAsync();
        var errors = apt.StandardError.ReadToEndAsync();
        await apt.WaitForExitAsync();
        await output;
        return $"apt-get {arguments}: exit {apt.ExitCode}{Environment.NewLine}{await errors}";
    }

    private async Task<IBrowser> LaunchBrowserAsync()
    {
        await InstallChromiumAsync();

        playwright = await Playwright.CreateAsync();
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    [GeneratedRegex(@"web UI at (?<url>http://\S+?)/ui .*one-time token (?<token>[0-9a-f]{32})")]
    private static partial Regex UiLine();
}
