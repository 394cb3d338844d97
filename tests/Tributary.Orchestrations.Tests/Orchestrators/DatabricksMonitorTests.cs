using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Orchestrators;

/// <summary>
/// The ingest orchestration with <c>databricks</c> selected, on the in-memory Durable Task engine: start, durable-timer
/// polling, terminal-state mapping into the manifest, and the deadline that cancels the Databricks run.
/// </summary>
public sealed class DatabricksMonitorTests(DatabricksMonitorHost fixture) : IClassFixture<DatabricksMonitorHost>
{
    private ScriptedDatabricks Databricks => fixture.Databricks;

    [Fact]
    public async Task Success_records_the_Databricks_run_id_and_url_and_the_collected_results()
    {
        const string runId = "dbx-success";
        Databricks.Terminal[runId] = ("TERMINATED", "SUCCESS", "done");

        var manifest = await RunAsync(runId);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        var aggregation = manifest.Aggregation!;
        var databricksRunId = Databricks.RunIds.Single(r => r.Value == runId).Key;
        Assert.Equal(AggregationEngines.Databricks, aggregation.Engine);
        Assert.Equal(databricksRunId.ToString(System.Globalization.CultureInfo.InvariantCulture), aggregation.EngineRunId);
        Assert.Equal(ScriptedDatabricks.PageOf(databricksRunId), aggregation.EngineRunUrl);
        Assert.Equal(AggregationState.Succeeded, aggregation.State);
        Assert.Equal(42, aggregation.ResultRows);
        Assert.Contains("results/taxi/aggregate/", manifest.Outputs);
        Assert.DoesNotContain(manifest.Outputs, o => o.EndsWith("/summary.json", StringComparison.Ordinal)); // no per-run summary
        Assert.Equal(3, Databricks.Polls(databricksRunId)); // PENDING, RUNNING, TERMINATED
        Assert.DoesNotContain(databricksRunId, Databricks.Cancels);

        // Recorded for cancellation as soon as it started.
        var record = Assert.Single(Databricks.Records, r => r.RunId == runId);
        Assert.Equal(aggregation.EngineRunId, record.EngineRunId);

        // Job parameters from the real builder: the dataset's aggregation in Spark SQL, the tables under the storage root.
        var parameters = Databricks.Starts[runId].JobParameters;
        Assert.Equal(AggregationSqlCompiler.Compile(fixture.Catalog.Get("taxi").Aggregation, SqlDialect.Spark), parameters["aggregation_sql"]);
        Assert.Equal("abfss://curated@acct.dfs.core.windows.net/taxi/", parameters["curated_table"]);
        Assert.Equal("abfss://results@acct.dfs.core.windows.net/taxi/aggregate/", parameters["aggregate_table"]);
        Assert.Equal($"abfss://results@acct.dfs.core.windows.net/taxi/run={runId}/_databricks_summary.json", parameters["summary_path"]);
        Assert.Equal(runId, parameters["run_id"]);
        Assert.Equal("taxi", parameters["dataset"]);
        Assert.Equal(aggregation.EngineRunUrl, Databricks.Committed[runId].Aggregation!.EngineRunUrl);
    }

    [Theory]
    [InlineData("TERMINATED", "FAILED", "FAILED")]
    [InlineData("TERMINATED", "TIMEDOUT", "TIMEDOUT")]
    [InlineData("TERMINATED", "CANCELED", "CANCELED")]
    [InlineData("INTERNAL_ERROR", null, "INTERNAL_ERROR")]
    [InlineData("SKIPPED", null, "SKIPPED")]
    [InlineData("SKIPPED", "MAXIMUM_CONCURRENT_RUNS_REACHED", "MAXIMUM_CONCURRENT_RUNS_REACHED")]
    public async Task A_failed_Databricks_run_fails_the_run_with_state_message_and_url_in_the_manifest(string lifeCycle, string? result, string expectedState)
    {
        var runId = $"dbx-{expectedState.ToLowerInvariant()}";
        var message = $"simulated {expectedState}: Task aggregate failed with message: boom.";
        Databricks.Terminal[runId] = (lifeCycle, result, message);

        var manifest = await RunAsync(runId);

        Assert.Equal(RunStatus.Failed, manifest.Status);
        var aggregation = manifest.Aggregation!;
        var databricksRunId = Databricks.RunIds.Single(r => r.Value == runId).Key;
        Assert.NotEqual(AggregationState.Succeeded, aggregation.State);
        Assert.Equal(expectedState, aggregation.EngineState);
        Assert.Equal(message, aggregation.Message);
        Assert.Equal(ScriptedDatabricks.PageOf(databricksRunId), aggregation.EngineRunUrl);
        Assert.Equal(databricksRunId.ToString(System.Globalization.CultureInfo.InvariantCulture), aggregation.EngineRunId);
        Assert.Contains(expectedState, manifest.Error);
        Assert.Contains(ScriptedDatabricks.PageOf(databricksRunId), manifest.Error);
        Assert.DoesNotContain(manifest.Outputs, o => o.StartsWith("results/", StringComparison.Ordinal));
        Assert.DoesNotContain(databricksRunId, Databricks.Cancels); // it ended by itself: nothing to cancel
    }

    [Fact]
    public async Task The_deadline_cancels_the_Databricks_run_and_fails_the_run()
    {
        const string runId = "dbx-never-ends";
        Databricks.RunTimeout[runId] = TimeSpan.FromSeconds(1.5);

        var manifest = await RunAsync(runId);

        var databricksRunId = Databricks.RunIds.Single(r => r.Value == runId).Key;
        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Equal(AggregationState.TimedOut, manifest.Aggregation!.State);
        Assert.Contains("RunTimeout", manifest.Aggregation.Message);
        Assert.Contains(databricksRunId, Databricks.Cancels);
        Assert.True(Databricks.Polls(databricksRunId) >= 3, $"polled {Databricks.Polls(databricksRunId)} times in 1.5 s at 100-250 ms");
        Assert.True(manifest.Timings.AggregatedAt!.Value - manifest.Timings.ProcessedAt!.Value >= TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task A_poll_that_fails_through_its_retries_is_tolerated_until_the_run_ends()
    {
        const string runId = "dbx-flaky-api";
        Databricks.FailingPolls[runId] = 1;
        Databricks.Terminal[runId] = ("TERMINATED", "SUCCESS", "");

        var manifest = await RunAsync(runId);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(AggregationState.Succeeded, manifest.Aggregation!.State);
        Assert.Equal(3, Databricks.Polls(Databricks.RunIds.Single(r => r.Value == runId).Key));
    }

    [Fact]
    public async Task A_batch_window_run_over_many_inputs_starts_one_Databricks_run()
    {
        const string runId = "dbx-batch";
        Databricks.Terminal[runId] = ("TERMINATED", "SUCCESS", "");
        var inputs = Enumerable.Range(0, 5).Select(i => new BlobReference("incoming", $"taxi/burst/{i}.csv", $"\"0x{i}\"", 100)).ToList();

        var manifest = await RunAsync(runId, new IngestRequest(runId, DatabricksMonitorHost.Dataset, inputs));

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Single(Databricks.RunIds, r => r.Value == runId);
        Assert.Equal(runId, Databricks.Starts[runId].JobParameters["run_id"]);
    }

    private Task<RunManifest> RunAsync(string runId) => RunAsync(runId, DatabricksMonitorHost.Request(runId));

    private async Task<RunManifest> RunAsync(string runId, IngestRequest request)
    {
        var client = fixture.Host.Client;
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(Orchestrations.Runs.IngestOrchestrator), request,
            new StartOrchestrationOptions(runId));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<RunManifest>()!;
    }
}
