using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>Drop files of every format into a real Azurite; the real host processes them durably; DuckDB checks the results.</summary>
public sealed class EndToEndTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-e2e-").FullName;

    [Fact]
    public async Task Every_format_is_curated_and_the_dataset_aggregate_is_exactly_what_DuckDB_computes_on_the_raw_files()
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

            Assert.Equal(AggregationState.Succeeded, manifest.Aggregation!.State);
        }

        // The aggregate is the dataset's, not a run's: the spec over every file's rows.
        var tables = new DatasetTables(store);
        Assert.NotNull(await DeltaLog.ReadSnapshotAsync(tables.Curated("taxi")));
        foreach (var (_, runId) in runs)
        {
            Assert.False(await store.Blob(BlobContainers.Results, StorageLayout.AggregateResult("taxi", runId)).ExistsAsync(), "no per-run aggregate any more");
            Assert.False(await store.Blob(BlobContainers.Results, $"{StorageLayout.RunPrefix("taxi", runId)}summary.json").ExistsAsync(), "no per-run summary");
        }

        var options = new PipelineOptions { WorkDirectory = Path.Combine(work, "query") };
        var aggregate = await new DatasetQuery(tables, new TableFileCache(options), options).RunAsync(
            "taxi", "SELECT CAST(pickup_day AS TIMESTAMP), payment_type, trips, total_fare FROM aggregate");
        var expected = new Dictionary<(DateTime Day, string Payment), (long Trips, decimal Fare)>();
        foreach (var (key, (trips, fare)) in files.SelectMany(TaxiOracle.Aggregate))
        {
            var sum = expected.GetValueOrDefault(key);
            expected[key] = (sum.Trips + trips, sum.Fare + fare);
        }

        Assert.Equal(
            expected.Select(e => $"{e.Key.Day:u} {e.Key.Payment} {e.Value.Trips} {e.Value.Fare:0.00}").Order(StringComparer.Ordinal),
            aggregate.Rows.Select(r => $"{(DateTime)r[0]!:u} {r[1]} {r[2]} {Convert.ToDecimal(r[3]):0.00}").Order(StringComparer.Ordinal)); // DuckDB.NET drops trailing zeros
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
