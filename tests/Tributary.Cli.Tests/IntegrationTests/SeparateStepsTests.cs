using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Cli.Tests.IntegrationTests.Tables;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// A run with every run-shape lever off, on a real host and engine: processing, table commit, refresh and manifest
/// are separate activities, so the run reads its chunk results back from where processing kept them
/// (<c>ReadChunkResultsActivity</c>) and its manifest's commit reads them again. The table and the aggregate hold
/// what the oracle over the raw file says, each row once.
/// </summary>
public sealed class SeparateStepsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Dataset = "taxi";

    private readonly string work = Directory.CreateTempSubdirectory("tributary-separate-").FullName;

    [Fact]
    public async Task With_every_lever_off_a_run_reads_its_chunk_results_back_and_commits_each_valid_row_once()
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
        {
            ["Tributary:RunShape:ProcessWithPlan"] = "false",
            ["Tributary:RunShape:CommitWithRefresh"] = "false",
            ["Tributary:RunShape:ArchiveWithManifest"] = "false",
            ["Tributary:RunShape:FinishInOneActivity"] = "false",
        });
        await using var host = await TestHosts.StartAsync(configuration);
        var service = new BlobServiceClient(azurite.ConnectionString);
        var incoming = service.GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var file = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", 3000, seed: 73, firstTripId: 73_000_000);

        const string name = "taxi/separate/trips.csv";
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        var manifest = await RunWaiter.WaitAsync(host.Client, RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString()), TimeSpan.FromMinutes(2));

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Null(manifest.ChunkResults);
        var chunk = Assert.Single(manifest.Chunks);
        Assert.Equal(TaxiOracle.ValidRows(file), chunk.RowsCurated);
        Assert.Equal(TaxiOracle.TotalRows(file), manifest.Totals.RowsRead);
        Assert.NotNull(chunk.CuratedStats);
        Assert.Equal([chunk.CuratedPath!, chunk.RejectedPath!, .. manifest.Aggregation!.Outputs], manifest.Outputs);

        // The results the run read back are the ones processing kept beside it.
        var kept = service.GetBlobContainerClient(BlobContainers.Results).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{StorageLayout.RunPrefix(Dataset, manifest.RunId)}_chunks/", CancellationToken.None);
        var names = new List<string>();
        await foreach (var blob in kept)
        {
            names.Add(blob.Name);
        }

        Assert.Equal([StorageLayout.ChunkResults(Dataset, manifest.RunId, 0)], names);

        var (_, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, Dataset, work);
        Assert.Equal(TaxiOracle.ValidRows(file), ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(TaxiOracle.ValidIdSum(file), ids.IdSum);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
