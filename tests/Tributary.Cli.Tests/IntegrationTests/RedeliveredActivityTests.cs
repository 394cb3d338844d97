using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Cli.Tests.IntegrationTests.Tables;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Testing;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// The engine redelivers an activity whose work item outlived its queue message's visibility timeout, or whose host died:
/// the same input runs twice, even at the same time ("processed multiple times concurrently"). Here every chunk and the
/// table commit run twice concurrently, and the commit a third time after: one table version, the file's rows once
/// (oracle: DuckDB over the raw file).
/// </summary>
public sealed class RedeliveredActivityTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-redelivery-").FullName;

    [Fact]
    public async Task Chunk_and_commit_activities_delivered_twice_concurrently_commit_one_version_with_the_rows_once()
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        var definition = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"));
        // Small chunks, so the file is several chunks each delivered twice.
        definition = definition.Replace("\"encoding\": \"utf-8\"", "\"encoding\": \"utf-8\", \"chunkSizeBytes\": 65536", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(datasets, "taxi.json"), definition);
        var options = new PipelineOptions { DatasetsPath = datasets, WorkDirectory = Path.Combine(work, "scratch"), TaskHub = TestHosts.NewTaskHub() };
        await using var services = new ServiceCollection().AddLogging().AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();

        var file = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", 3000, seed: 5, firstTripId: 5_000_000);
        const string name = "taxi/redelivery/trips.csv";
        var uploaded = (await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name).UploadAsync(file, overwrite: true)).Value;
        var input = new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), new FileInfo(file).Length);
        const string runId = "redelivery-1";

        var plan = await Activity<PlanRunActivity>(services).RunAsync(new FakeActivityContext(nameof(PlanRunActivity)), new IngestRequest(runId, "taxi", [input]));
        Assert.True(plan.Chunks.Count > 1, $"{plan.Chunks.Count} chunk(s)");

        var results = new List<ChunkResult>();
        foreach (var chunk in plan.Chunks)
        {
            var twice = await Task.WhenAll(
                Activity<ProcessChunkActivity>(services).RunAsync(new FakeActivityContext(nameof(ProcessChunkActivity)), chunk),
                Activity<ProcessChunkActivity>(services).RunAsync(new FakeActivityContext(nameof(ProcessChunkActivity)), chunk));
            Assert.Equal(twice[0].RowsCurated, twice[1].RowsCurated);
            Assert.Equal(twice[0].CuratedPath, twice[1].CuratedPath);
            results.Add(twice[1]);
        }

        var parts = results.Where(c => c.CuratedPath is not null && c.RowsCurated > 0).OrderBy(c => c.Index)
            .Select(c => new TablePart(c.Index, c.Input, c.CuratedBytes ?? 0, c.CuratedStats)).ToList();
        var request = new CommitTableRequest(runId, "taxi", plan.DefinitionHash, plan.Inputs ?? [input], parts);
        var commits = await Task.WhenAll(
            Activity<CommitTableActivity>(services).RunAsync(new FakeActivityContext(nameof(CommitTableActivity)), request),
            Activity<CommitTableActivity>(services).RunAsync(new FakeActivityContext(nameof(CommitTableActivity)), request));
        var late = await Activity<CommitTableActivity>(services).RunAsync(new FakeActivityContext(nameof(CommitTableActivity)), request);

        // One of the concurrent pair wrote the version; the other and the late one found the run's txn in the log.
        Assert.Single(commits, c => !c.AlreadyCommitted);
        Assert.True(late.AlreadyCommitted);
        Assert.All(commits, c => Assert.Equal(late.Version, c.Version));
        var history = await DeltaLog.ReadHistoryAsync(services.GetRequiredService<DatasetTables>().Curated("taxi"));
        Assert.Single(history, h => h.Field("runId")?.GetString() == runId);

        var (snapshot, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, "taxi", work);
        Assert.Equal(late.Version, snapshot!.Version);
        Assert.Equal(TaxiOracle.ValidRows(file), ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(TaxiOracle.ValidIdSum(file), ids.IdSum);
    }

    private static T Activity<T>(IServiceProvider services)
        where T : class => ActivatorUtilities.CreateInstance<T>(services);

    public void Dispose() => Directory.Delete(work, recursive: true);
}
