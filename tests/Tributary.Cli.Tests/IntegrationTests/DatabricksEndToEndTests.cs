using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tests.Databricks;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// A whole ingest with <c>databricks</c> selected deployment-wide, on the real host over Azurite, against the Jobs API
/// simulation. The simulated job refreshes the dataset's aggregate Delta table with the DuckDB twin of the compiled query
/// over the curated Delta table, so the pipeline's outputs are checked end to end against an independent DuckDB oracle
/// over the raw file.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DatabricksEndToEndTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-dbx-e2e-").FullName;
    private readonly DatabricksJobsSimulator databricks = new() { PendingPolls = 1, RunningPolls = 2 };

    [Fact]
    public async Task An_ingest_on_Databricks_commits_the_job_results_the_run_id_and_the_run_page()
    {
        var catalog = new DatasetCatalog(Path.Combine(AppContext.BaseDirectory, "datasets"));
        var job = new DuckDbTwinJob(azurite.ConnectionString, dataset => catalog.Get(dataset).Aggregation);
        databricks.OnSucceeded = job.RunAsync;
        await using var host = await TestHosts.StartAsync(Configuration());

        var file = SampleDataSet.Write(work, rowsPerFile: 3000, seed: 11).First(f => f.EndsWith(".csv", StringComparison.Ordinal));
        var runId = await DropAsync("taxi/dbx/trips.csv", file);
        var manifest = await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(3));

        Assert.True(manifest.Status == RunStatus.Succeeded, manifest.Error);
        var run = databricks.Run(long.Parse(manifest.Aggregation!.EngineRunId!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(AggregationEngines.Databricks, manifest.Aggregation.Engine);
        Assert.Equal(AggregationState.Succeeded, manifest.Aggregation.State);
        Assert.Equal($"{databricks.Url}/#job/{databricks.JobId}/run/{run.RunId}", manifest.Aggregation.EngineRunUrl);
        Assert.Equal(["PENDING", "RUNNING", "RUNNING", "TERMINATED"], run.Observed);
        Assert.Equal(1, databricks.RunsCreated);
        Assert.Equal(AggregationSqlCompiler.Compile(catalog.Get("taxi").Aggregation, SqlDialect.Spark), job.SparkSql[runId]);

        // The job got the tables, not a run folder; without affected groups known yet (IAffectedGroups unbound) a full refresh.
        var parameters = job.Parameters[runId];
        Assert.Equal($"abfss://{BlobContainers.Curated}@{new BlobServiceClient(azurite.ConnectionString).AccountName}.dfs.core.windows.net/taxi/", parameters["curated_table"]);
        Assert.EndsWith("/taxi/aggregate/", parameters["aggregate_table"]);
        Assert.Equal(("", "", ""), (parameters["affected_keys"], parameters["affected_keys_path"], parameters["affected_predicate"]));

        // The aggregate table the job committed is the aggregate DuckDB computes directly over the raw file, and its commit
        // records the curated version it reflects.
        var store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        var aggregate = new Tributary.Orchestrations.Tables.Delta.BlobDeltaStore(store.Container(BlobContainers.Results), StorageLayout.AggregateTableRoot("taxi"));
        var snapshot = await Tributary.Orchestrations.Tables.Delta.DeltaLog.ReadSnapshotAsync(aggregate);
        Assert.NotNull(snapshot);
        var active = Assert.Single(snapshot.ActiveFiles.Values);
        var local = Path.Combine(work, "result.parquet");
        await store.Blob(BlobContainers.Results, StorageLayout.AggregateTableRoot("taxi") + active.StoragePath).DownloadToAsync(local);
        var expected = TaxiOracle.Aggregate(file);
        Assert.Equal(expected, TaxiOracle.ReadResult(local));
        Assert.Equal(expected.Count, manifest.Aggregation.ResultRows);
        Assert.NotNull(await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, snapshot));
        Assert.Contains($"{BlobContainers.Results}/{StorageLayout.AggregateTableRoot("taxi")}", manifest.Aggregation.Outputs);

        // The engine-neutral summary and the committed manifest say the same.
        var summary = await store.ReadJsonAsync<AggregationSummary>(BlobContainers.Results, StorageLayout.AggregateSummary("taxi", runId));
        Assert.NotNull(summary);
        Assert.Equal((AggregationEngines.Databricks, manifest.Aggregation.EngineRunId, (long)expected.Count), (summary.Engine, summary.EngineRunId, summary.Rows));
        Assert.Equal(Math.Min(expected.Count, 20), summary.Preview.GetArrayLength());
        var stored = await store.ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest("taxi", runId));
        Assert.Equal(manifest.Aggregation.EngineRunUrl, stored!.Aggregation!.EngineRunUrl);
        Assert.Contains(manifest.Aggregation.Outputs, o => o.EndsWith("/_databricks_summary.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_a_run_cancels_its_Databricks_run_found_from_the_custom_status_or_the_engine_run_record()
    {
        databricks.NeverFinish = true;
        await using var host = await TestHosts.StartAsync(Configuration());
        var canceller = host.Services.GetRequiredService<IEngineRunCanceller>();

        var file = SampleDataSet.Write(work, rowsPerFile: 500, seed: 5).First(f => f.EndsWith(".csv", StringComparison.Ordinal));
        var runId = await DropAsync("taxi/dbx/never.csv", file);
        var (engineRun, customStatus) = await WaitForEngineRunAsync(host.Client, runId, TimeSpan.FromMinutes(2));
        var databricksRunId = long.Parse(engineRun["databricks:".Length..], System.Globalization.CultureInfo.InvariantCulture);

        // What the runs API does: cancel the engine run with the custom status read before terminating.
        await canceller.CancelAsync("taxi", runId, customStatus);
        Assert.True(databricks.Run(databricksRunId).Cancelled);
        Assert.Equal(1, databricks.Requests(DatabricksJobsSimulator.RunsCancel));

        // Without the custom status (e.g. purged), the engine-run record written at start finds it too.
        await host.Client.TerminateInstanceAsync(runId, "cancelled by test");
        await host.Client.WaitForInstanceCompletionAsync(runId);
        await canceller.CancelAsync("taxi", runId, serializedCustomStatus: null);
        Assert.Equal(2, databricks.Requests(DatabricksJobsSimulator.RunsCancel));

        // A run that never started a Databricks run sends no cancel.
        await canceller.CancelAsync("taxi", "no-such-run", serializedCustomStatus: null);
        Assert.Equal(2, databricks.Requests(DatabricksJobsSimulator.RunsCancel));
    }

    public void Dispose()
    {
        databricks.Dispose();
        Directory.Delete(work, recursive: true);
    }

    private Microsoft.Extensions.Configuration.IConfiguration Configuration() => TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
    {
        ["Tributary:AggregationEngine"] = "databricks",
        ["Databricks:WorkspaceUrl"] = databricks.Url,
        ["Databricks:JobId"] = databricks.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Databricks:Auth"] = "Pat",
        ["Databricks:Token"] = databricks.Pat,
        ["Databricks:PollIntervalMin"] = "00:00:00.200",
        ["Databricks:PollIntervalMax"] = "00:00:00.500",
        ["Databricks:RunTimeout"] = "00:02:00",
    });

    private async Task<string> DropAsync(string name, string file)
    {
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        return RunIds.ForBlob("taxi", name, uploaded.Value.ETag.ToString());
    }

    /// <summary>The custom status names the in-flight engine run once it has started.</summary>
    private static async Task<(string EngineRun, string CustomStatus)> WaitForEngineRunAsync(DurableTaskClient client, string runId, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var state = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, deadline.Token);
            if (state?.ReadCustomStatusAs<RunProgress>() is { EngineRunId: { } engineRun })
            {
                return (engineRun, state.SerializedCustomStatus!);
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}
