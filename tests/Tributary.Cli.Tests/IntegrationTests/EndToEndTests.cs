using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>Drop files of every format into a real Azurite; the real host processes them durably; DuckDB checks the results.</summary>
public sealed class EndToEndTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-e2e-").FullName;

    [Fact]
    public async Task Every_format_is_curated_and_aggregated_exactly_as_DuckDB_computes_on_the_raw_files()
    {
        var files = SampleDataSet.Write(Path.Combine(work, "a"), rowsPerFile: 3000, seed: 7)
            .Concat(SampleDataSet.Write(Path.Combine(work, "b"), rowsPerFile: 2000, seed: 99))
            .ToList();
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        await using var host = await TestHosts.StartAsync(configuration);

        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        var runs = new List<(string File, string RunId)>();
        foreach (var file in files)
        {
            var name = $"taxi/e2e/{Path.GetFileName(Path.GetDirectoryName(file))}-{Path.GetFileName(file)}";
            var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
            runs.Add((file, RunIds.ForBlob("taxi", name, uploaded.Value.ETag.ToString())));
        }

        var store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        foreach (var (file, runId) in runs)
        {
            var manifest = await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(3));
            Assert.Equal(RunStatus.Succeeded, manifest.Status);
            Assert.Equal(TaxiOracle.TotalRows(file), manifest.Totals.RowsRead);
            Assert.Equal(TaxiOracle.ValidRows(file), manifest.Totals.RowsCurated);
            Assert.Equal(manifest.Totals.RowsRead, manifest.Totals.RowsCurated + manifest.Totals.RowsRejected);
            Assert.True(manifest.Totals.RowsRejected > 0, "the sample files carry bad rows");

            // The committed manifest in storage is the one the orchestration returned.
            var stored = await store.ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest("taxi", runId));
            Assert.NotNull(stored);
            Assert.Equal(manifest.Totals, stored.Totals);

            var result = Path.Combine(work, $"{runId}.parquet");
            await store.Blob(BlobContainers.Results, StorageLayout.AggregateResult("taxi", runId)).DownloadToAsync(result);
            Assert.Equal(TaxiOracle.Aggregate(file), TaxiOracle.ReadResult(result));
        }
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
