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
/// simulation. The simulated job refreshes the dataset's aggregate Delta table with the DuckDB refresh over the curated
/// Delta table, so the pipeline's outputs are checked end to end against an independent DuckDB oracle over the raw file.
/// Its own Azurite (class fixture): the dataset's tables hold only this test's inputs.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DatabricksEndToEndTests(AzuriteFixture azurite) : DatabricksHostTests(azurite), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_ingest_on_Databricks_commits_the_job_results_the_run_id_and_the_run_page()
    {
        var catalog = new DatasetCatalog(Path.Combine(AppContext.BaseDirectory, "datasets"));
        using var job = new DuckDbTwinJob(Azurite.ConnectionString, dataset => catalog.Get(dataset).Aggregation);
        Databricks.OnSucceeded = job.RunAsync;
        await using var host = await TestHosts.StartAsync(Configuration());

        var file = SampleDataSet.Write(Work, rowsPerFile: 3000, seed: 11).First(f => f.EndsWith(".csv", StringComparison.Ordinal));
        var runId = await DropAsync("taxi/dbx/trips.csv", file);
        var manifest = await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(3));

        Assert.True(manifest.Status == RunStatus.Succeeded, manifest.Error);
        var run = Databricks.Run(long.Parse(manifest.Aggregation!.EngineRunId!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(AggregationEngines.Databricks, manifest.Aggregation.Engine);
        Assert.Equal(AggregationState.Succeeded, manifest.Aggregation.State);
        Assert.Equal($"{Databricks.Url}/#job/{Databricks.JobId}/run/{run.RunId}", manifest.Aggregation.EngineRunUrl);
        Assert.Equal(["PENDING", "RUNNING", "RUNNING", "TERMINATED"], run.Observed);
        Assert.Equal(1, Databricks.RunsCreated);
        Assert.Equal(AggregationSqlCompiler.Compile(catalog.Get("taxi").Aggregation, SqlDialect.Spark), job.SparkSql[runId]);

        // The job got the tables, not a run folder; the first refresh (no aggregate yet) is full: no affected groups given.
        var parameters = job.Parameters[runId];
        Assert.Equal($"abfss://{BlobContainers.Curated}@{new BlobServiceClient(Azurite.ConnectionString).AccountName}.dfs.core.windows.net/taxi/", parameters["curated_table"]);
        Assert.EndsWith("/taxi/aggregate/", parameters["aggregate_table"]);
        Assert.Equal(("", "", ""), (parameters["affected_keys"], parameters["affected_keys_path"], parameters["affected_predicate"]));

        // The aggregate table the job committed is the aggregate DuckDB computes directly over the raw file, and its commit
        // records the curated version it reflects.
        var store = new BlobStore(new BlobServiceClient(Azurite.ConnectionString));
        var aggregate = new Tributary.Orchestrations.Tables.Delta.BlobDeltaStore(store.Container(BlobContainers.Results), StorageLayout.AggregateTableRoot("taxi"));
        var snapshot = await Tributary.Orchestrations.Tables.Delta.DeltaLog.ReadSnapshotAsync(aggregate);
        Assert.NotNull(snapshot);
        var active = Assert.Single(snapshot.ActiveFiles.Values);
        var local = Path.Combine(Work, "result.parquet");
        await store.Blob(BlobContainers.Results, StorageLayout.AggregateTableRoot("taxi") + active.StoragePath).DownloadToAsync(local);
        var expected = TaxiOracle.Aggregate(file);
        Assert.Equal(expected, TaxiOracle.ReadResult(local));
        Assert.Equal(expected.Count, manifest.Aggregation.ResultRows);
        Assert.Equal(manifest.Table!.Version, await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, snapshot));
        Assert.Contains($"{BlobContainers.Results}/{StorageLayout.AggregateTableRoot("taxi")}", manifest.Aggregation.Outputs);

        // No per-run summary: the aggregate is the table, the manifest says what the refresh did.
        Assert.False(await store.Blob(BlobContainers.Results, $"{StorageLayout.RunPrefix("taxi", runId)}summary.json").ExistsAsync());
        Assert.Equal(snapshot.Version, manifest.Aggregation.AggregateVersion);
        var stored = await store.ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest("taxi", runId));
        Assert.Equal(manifest.Aggregation.EngineRunUrl, stored!.Aggregation!.EngineRunUrl);
        Assert.Contains(manifest.Aggregation.Outputs, o => o.EndsWith("/_databricks_summary.json", StringComparison.Ordinal));

        // The same blob re-uploaded with other rows: the second job gets the affected groups (the days of the removed and
        // the added part, timestamps ISO 8601 UTC), and the aggregate equals the oracle over the new content alone.
        var changed = SampleDataSet.Write(Path.Combine(Work, "changed"), rowsPerFile: 3000, seed: 12).First(f => f.EndsWith(".csv", StringComparison.Ordinal));
        var rerunId = await DropAsync("taxi/dbx/trips.csv", changed);
        var second = await RunWaiter.WaitAsync(host.Client, rerunId, TimeSpan.FromMinutes(3));
        Assert.True(second.Status == RunStatus.Succeeded, second.Error);
        var again = job.Parameters[rerunId];
        var keys = again["affected_keys"] is { Length: > 0 } inline ? inline : await ReadAsync(again["affected_keys_path"]);
        using (var document = System.Text.Json.JsonDocument.Parse(keys))
        {
            Assert.Equal(["pickup_day", "payment_type"], document.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
            Assert.NotEqual(0, document.RootElement.GetProperty("keys").GetArrayLength());
            Assert.All(document.RootElement.GetProperty("keys").EnumerateArray(), k => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T00:00:00\.000000Z$", k[0].GetString()));
        }

        var after = (await Tributary.Orchestrations.Tables.Delta.DeltaLog.ReadSnapshotAsync(aggregate))!;
        Assert.Equal(second.Table!.Version, await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, after));
        var folder = Directory.CreateDirectory(Path.Combine(Work, "aggregate")).FullName;
        foreach (var add in after.ActiveFiles.Values)
        {
            await store.Blob(BlobContainers.Results, StorageLayout.AggregateTableRoot("taxi") + add.StoragePath).DownloadToAsync(Path.Combine(folder, $"{Guid.NewGuid():N}.parquet"));
        }

        Assert.Equal(TaxiOracle.Aggregate(changed), TaxiOracle.ReadResult(Path.Combine(folder, "*.parquet")));
    }
}

/// <summary>
/// Cancelling a run on Databricks. Its own Azurite: the cancelled run has committed its rows to the curated table
/// before its refresh started, which would change the dataset another test compares with an oracle.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DatabricksCancelTests(AzuriteFixture azurite) : DatabricksHostTests(azurite), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Cancelling_a_run_cancels_its_Databricks_run_found_from_the_custom_status_or_the_engine_run_record()
    {
        Databricks.NeverFinish = true;
        await using var host = await TestHosts.StartAsync(Configuration());
        var canceller = host.Services.GetRequiredService<IEngineRunCanceller>();

        var file = SampleDataSet.Write(Work, rowsPerFile: 500, seed: 5).First(f => f.EndsWith(".csv", StringComparison.Ordinal));
        var runId = await DropAsync("taxi/dbx/never.csv", file);
        var (engineRun, customStatus) = await WaitForEngineRunAsync(host.Client, runId, TimeSpan.FromMinutes(2));
        var databricksRunId = long.Parse(engineRun["databricks:".Length..], System.Globalization.CultureInfo.InvariantCulture);

        // What the runs API does: cancel the engine run with the custom status read before terminating.
        await canceller.CancelAsync("taxi", runId, customStatus);
        Assert.True(Databricks.Run(databricksRunId).Cancelled);
        Assert.Equal(1, Databricks.Requests(DatabricksJobsSimulator.RunsCancel));

        // Without the custom status (e.g. purged), the engine-run record written at start finds it too.
        await host.Client.TerminateInstanceAsync(runId, "cancelled by test");
        await host.Client.WaitForInstanceCompletionAsync(runId);
        await canceller.CancelAsync("taxi", runId, serializedCustomStatus: null);
        Assert.Equal(2, Databricks.Requests(DatabricksJobsSimulator.RunsCancel));

        // A run that never started a Databricks run sends no cancel.
        await canceller.CancelAsync("taxi", "no-such-run", serializedCustomStatus: null);
        Assert.Equal(2, Databricks.Requests(DatabricksJobsSimulator.RunsCancel));
    }
}

/// <summary>The real host with <c>databricks</c> selected deployment-wide over Azurite, against the Jobs API simulation.</summary>
public abstract class DatabricksHostTests(AzuriteFixture azurite) : IDisposable
{
    protected string Work { get; } = Directory.CreateTempSubdirectory("tributary-dbx-e2e-").FullName;
    protected DatabricksJobsSimulator Databricks { get; } = new() { PendingPolls = 1, RunningPolls = 2 };

    protected AzuriteFixture Azurite => azurite;

    /// <summary>A small blob by its abfss URL (abfss://{container}@{account}.dfs.core.windows.net/{name}).</summary>
    protected async Task<string> ReadAsync(string url)
    {
        var uri = new Uri(url);
        var content = await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(uri.UserInfo).GetBlobClient(Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'))).DownloadContentAsync();
        return content.Value.Content.ToString();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Databricks.Dispose();
            Directory.Delete(Work, recursive: true);
        }
    }

    protected Microsoft.Extensions.Configuration.IConfiguration Configuration() => TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
    {
        ["Tributary:AggregationEngine"] = "databricks",
        ["Databricks:WorkspaceUrl"] = Databricks.Url,
        ["Databricks:JobId"] = Databricks.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Databricks:Auth"] = "Pat",
        ["Databricks:Token"] = Databricks.Pat,
        ["Databricks:PollIntervalMin"] = "00:00:00.200",
        ["Databricks:PollIntervalMax"] = "00:00:00.500",
        ["Databricks:RunTimeout"] = "00:02:00",
    });

    protected async Task<string> DropAsync(string name, string file)
    {
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        return RunIds.ForBlob("taxi", name, uploaded.Value.ETag.ToString());
    }

    /// <summary>The custom status names the in-flight engine run once it has started.</summary>
    protected static async Task<(string EngineRun, string CustomStatus)> WaitForEngineRunAsync(DurableTaskClient client, string runId, TimeSpan timeout)
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
