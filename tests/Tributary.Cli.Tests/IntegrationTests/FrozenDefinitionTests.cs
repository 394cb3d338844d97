using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// The dataset definition is frozen when a run is planned: an edit of the definition file between planning and
/// processing changes nothing for that run (its chunks validate against the frozen copy), only for later runs.
/// Real activities from the core's services, on a real Azurite.
/// </summary>
public sealed partial class FrozenDefinitionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-frozen-").FullName;

    [Fact]
    public async Task An_edit_between_planning_and_processing_only_affects_later_runs()
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        var definitionFile = Path.Combine(datasets, "taxi.json");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"), definitionFile);
        var options = new PipelineOptions { DatasetsPath = datasets, WorkDirectory = Path.Combine(work, "scratch"), TaskHub = TestHosts.NewTaskHub() };
        await using var services = new ServiceCollection().AddLogging().AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();

        var input = await UploadAsync("taxi/frozen/trips.csv");
        var first = await PlanAsync(services, "taxi-frozen-1", input);

        // Mid-run: the definition now allows at most 1 passenger; the sample data has trips with more.
        File.WriteAllText(definitionFile, MaxPassengers().Replace(File.ReadAllText(definitionFile), "\"max\": 1"));
        File.SetLastWriteTimeUtc(definitionFile, DateTime.UtcNow.AddSeconds(5));

        // The sample has a few invalid rows on purpose; none of the first run's is refused by the edited rule.
        var firstResults = await ProcessAsync(services, first);
        Assert.Equal(0, await RejectedForPassengersAsync(firstResults));

        var second = await PlanAsync(services, "taxi-frozen-2", input);
        Assert.NotEqual(first.DefinitionHash, second.DefinitionHash);
        var secondResults = await ProcessAsync(services, second);
        Assert.True(await RejectedForPassengersAsync(secondResults) > 100, "the later run validates against the edited definition");
        Assert.True(secondResults.Sum(r => r.RowsRejected) > firstResults.Sum(r => r.RowsRejected));
        Assert.Equal(firstResults.Sum(r => r.RowsRead), secondResults.Sum(r => r.RowsRead));

        // The frozen copy is in storage under its hash and reads back the same from a process that never saw it.
        var stored = await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.State)
            .GetBlobClient(StorageLayout.DefinitionSnapshot("taxi", first.DefinitionHash!)).DownloadContentAsync();
        Assert.Equal(first.DefinitionHash, FrozenDefinitions.HashOf(stored.Value.Content.ToString()));
        var fresh = new FrozenDefinitions(new DatasetCatalog(datasets), services.GetRequiredService<BlobStore>());
        var frozen = await fresh.GetAsync("taxi", first.DefinitionHash);
        Assert.Equal(9.0, frozen.Schema.Columns.Single(c => c.Name == "passenger_count").Max);
    }

    private async Task<BlobReference> UploadAsync(string name)
    {
        var local = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(local, "csv", rows: 2_000, seed: 7, firstTripId: 1);
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name);
        var uploaded = (await blob.UploadAsync(local, overwrite: true)).Value;
        return new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), new FileInfo(local).Length);
    }

    private async Task<int> RejectedForPassengersAsync(IEnumerable<ChunkResult> results)
    {
        var count = 0;
        foreach (var path in results.Select(r => r.RejectedPath).OfType<string>())
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            var text = (await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(path[..slash]).GetBlobClient(path[(slash + 1)..]).DownloadContentAsync()).Value.Content.ToString();
            count += text.Split('\n').Count(line => line.Contains("> max 1\"", StringComparison.Ordinal));
        }

        return count;
    }

    private static async Task<RunPlan> PlanAsync(IServiceProvider services, string runId, BlobReference input)
    {
        var plan = await ActivityUtilities.CreateActivity<PlanRunActivity>(services)
            .RunAsync(new Context(nameof(PlanRunActivity)), new IngestRequest(runId, "taxi", [input]));
        Assert.Null(plan.Problem);
        Assert.NotNull(plan.DefinitionHash);
        Assert.All(plan.Chunks, c => Assert.Equal(plan.DefinitionHash, c.DefinitionHash));
        return plan;
    }

    private static async Task<List<ChunkResult>> ProcessAsync(IServiceProvider services, RunPlan plan)
    {
        var results = new List<ChunkResult>();
        foreach (var chunk in plan.Chunks)
        {
            results.Add(await ActivityUtilities.CreateActivity<ProcessChunkActivity>(services).RunAsync(new Context(nameof(ProcessChunkActivity)), chunk));
        }

        return results;
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    [GeneratedRegex("(?<=\"name\": \"passenger_count\".*?)\"max\": 9")]
    private static partial Regex MaxPassengers();

    private static class ActivityUtilities
    {
        public static T CreateActivity<T>(IServiceProvider services)
            where T : class => ActivatorUtilities.CreateInstance<T>(services);
    }

    private sealed class Context(string name) : TaskActivityContext
    {
        public override TaskName Name { get; } = new(name);

        public override string InstanceId { get; } = "frozen-test";
    }
}
