using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>
/// The core's services over a real Azurite, with the in-memory Durable Task test host as the engine. The ingest
/// orchestration is a stand-in under the real name: it returns a Succeeded manifest at once (writing none), or, for
/// requests the hold predicate selects, waits for the <see cref="ReleaseEvent"/> first. The backfill orchestrator and
/// its listing activity are the real ones.
/// </summary>
internal sealed class CoreHost : IAsyncDisposable
{
    public const string ReleaseEvent = "release";

    private readonly ServiceProvider services;

    private CoreHost(ServiceProvider services, DurableTaskTestHost host, string datasetsFolder)
    {
        this.services = services;
        Host = host;
        DatasetsFolder = datasetsFolder;
    }

    public DurableTaskTestHost Host { get; }

    public DurableTaskClient Client => Host.Client;

    public string DatasetsFolder { get; }

    public PipelineOptions Options => services.GetRequiredService<PipelineOptions>();

    public BlobStore Store => services.GetRequiredService<BlobStore>();

    public VersionClaims Versions => services.GetRequiredService<VersionClaims>();

    public IntakeClaims Claims => services.GetRequiredService<IntakeClaims>();

    public ArrivalRecords Arrivals => services.GetRequiredService<ArrivalRecords>();

    public RunCatalog Catalog => services.GetRequiredService<RunCatalog>();

    public RunCommitter Committer => services.GetRequiredService<RunCommitter>();

    public static async Task<CoreHost> StartAsync(AzuriteFixture azurite, Func<IngestRequest, bool>? hold = null)
    {
        var datasets = Path.Combine(Path.GetTempPath(), "tributary-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(datasets);
        var options = new PipelineOptions { DatasetsPath = datasets, MaxChunksInFlight = 2 };
        var services = new ServiceCollection().AddLogging().AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();
        var holds = hold ?? (_ => false);
        var host = await TestEngine.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<IngestRequest, RunManifest>(nameof(IngestOrchestrator), async (context, request) =>
            {
                if (holds(request))
                {
                    await context.WaitForExternalEvent<bool>(ReleaseEvent);
                }

                return StubManifest(request, context.CurrentUtcDateTime);
            });
            registry.AddOrchestrator<BackfillOrchestrator>();
            registry.AddActivity(ActivatorUtilities.CreateInstance<ListBackfillPageActivity>(services));
        });
        return new CoreHost(services, host, datasets);
    }

    public static RunManifest StubManifest(IngestRequest request, DateTime at, RunStatus status = RunStatus.Succeeded) => new(
        request.RunId, request.Dataset, status, request.RerunOf, request.Inputs, [], [], new RunTotals(0, 0, 0, 0), null, [], new RunTimings(at, null, null, at), null);

    /// <summary>A fresh dataset name per test, so tests of one class share Azurite without seeing each other's state.</summary>
    public static string NewDataset(string stem) => $"{stem}-{Guid.NewGuid().ToString("N")[..8]}";

    public RunIntake Intake() => ActivatorUtilities.CreateInstance<RunIntake>(services, Client);

    public ArrivalBatcher Batcher() => ActivatorUtilities.CreateInstance<ArrivalBatcher>(services, Intake());

    public RunsApi Api() => ActivatorUtilities.CreateInstance<RunsApi>(services, Client, Intake());

    /// <summary>Writes the repository's taxi definition under another name, with an optional batch window (JSON).</summary>
    public void WriteDataset(string name, string? batch = null)
    {
        var taxi = File.ReadAllText(Path.Combine(RepositoryRoot(), "datasets", "taxi.json"));
        var renamed = taxi.Replace("\"name\": \"taxi\",", batch is null ? $"\"name\": \"{name}\"," : $"\"name\": \"{name}\",\n  \"batch\": {batch},", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(DatasetsFolder, $"{name}.json"), renamed);
    }

    public async Task<OrchestrationMetadata> WaitAsync(string instanceId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await services.DisposeAsync();
        try
        {
            Directory.Delete(DatasetsFolder, recursive: true);
        }
        catch (IOException)
        {
            // Temporary definitions only.
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "datasets", "taxi.json")) && File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (with datasets/taxi.json) not found above " + AppContext.BaseDirectory);
    }
}
