using System.Globalization;
using System.Text.Json;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// After a Databricks refresh succeeded: reads the job's summary, checks the aggregate Delta table with our own log reader
/// (it exists and records a curated version at least the one the job read, unless the job dropped a stale refresh),
/// writes the engine-neutral results/{dataset}/run={runId}/summary.json (a preview of the aggregate table, as DuckDB does)
/// and returns the outcome for the manifest. A missing summary or table is a failed aggregation, not a success with
/// nothing in it.
/// </summary>
public sealed class CollectDatabricksResultActivity(BlobStore store, DatasetTables tables, PipelineOptions options)
    : TaskActivity<CollectDatabricksResultInput, AggregationOutcome>
{
    /// <summary>Files downloaded at most for the preview; the aggregate itself stays in its table.</summary>
    private const int PreviewFiles = 4;

    public override async Task<AggregationOutcome> RunAsync(TaskActivityContext context, CollectDatabricksResultInput input)
    {
        var engineRunId = input.DatabricksRunId.ToString(CultureInfo.InvariantCulture);
        var jobSummaryName = StorageLayout.DatabricksJobSummary(input.Dataset, input.RunId);
        var tableRoot = StorageLayout.AggregateTableRoot(input.Dataset);
        var tablePath = $"{BlobContainers.Results}/{tableRoot}";
        AggregationOutcome Failed(string message) =>
            new(AggregationEngines.Databricks, engineRunId, input.RunPageUrl, 0, [], AggregationState.Failed, message, "RESULT_MISSING");

        var jobSummary = await store.ReadJsonAsync<DatabricksJobSummary>(BlobContainers.Results, jobSummaryName);
        if (jobSummary is null)
        {
            return Failed($"the Databricks run reported SUCCESS but wrote no summary at {BlobContainers.Results}/{jobSummaryName}");
        }

        var aggregate = tables.Aggregate(input.Dataset);
        var snapshot = await DeltaLog.ReadSnapshotAsync(aggregate);
        if (snapshot is null)
        {
            return Failed($"the Databricks run reported SUCCESS but there is no aggregate table at {tablePath}");
        }

        var recorded = await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, snapshot);
        if (jobSummary.Action == DatabricksJobSummary.Applied && jobSummary.CuratedVersion is { } read && (recorded is null || recorded < read))
        {
            return Failed($"the Databricks run refreshed to curated version {read}, but the aggregate table at {tablePath} records {recorded?.ToString(CultureInfo.InvariantCulture) ?? "no curated version"}");
        }

        using var work = new WorkDirectory(options.WorkDirectory, $"collect-{input.RunId}");
        var local = new List<string>();
        foreach (var file in snapshot.ActiveFiles.Values.OrderBy(a => a.Path, StringComparer.Ordinal).Take(PreviewFiles))
        {
            var path = work.File($"part-{local.Count:D5}.parquet");
            await store.Blob(BlobContainers.Results, tableRoot + file.StoragePath).DownloadToAsync(path);
            local.Add(path);
        }

        var rows = jobSummary.Rows ?? snapshot.TotalRecords ?? 0;
        using var preview = JsonDocument.Parse(local.Count == 0 ? "[]" : DuckDbAggregationEngine.Preview(local));
        var summaryName = StorageLayout.AggregateSummary(input.Dataset, input.RunId);
        await store.UploadJsonAsync(BlobContainers.Results, summaryName,
            new AggregationSummary(AggregationEngines.Databricks, engineRunId, rows, tablePath, preview.RootElement.Clone()));

        List<string> outputs = [tablePath, $"{BlobContainers.Results}/{jobSummaryName}", $"{BlobContainers.Results}/{summaryName}"];
        return new AggregationOutcome(AggregationEngines.Databricks, engineRunId, input.RunPageUrl, rows, outputs, AggregationState.Succeeded,
            Describe(jobSummary, recorded) ?? input.Message);
    }

    /// <summary>What the refresh did, for the manifest's message.</summary>
    public static string? Describe(DatabricksJobSummary summary, long? recorded) => summary.Action switch
    {
        DatabricksJobSummary.Applied => $"{summary.Mode ?? "full"} refresh to curated version {summary.CuratedVersion}"
            + (summary.Groups is { } groups ? $" ({groups} affected groups)" : "")
            + (summary.AggregateVersion is { } v ? $"; aggregate table version {v}" : ""),
        DatabricksJobSummary.SkippedStale => $"dropped: the aggregate already reflects curated version {summary.RecordedCuratedVersion ?? recorded}, newer than {summary.CuratedVersion}",
        DatabricksJobSummary.SkippedAlreadyApplied => $"already applied: the aggregate reflects curated version {summary.CuratedVersion}",
        DatabricksJobSummary.NothingToRefresh => $"no affected groups at curated version {summary.CuratedVersion}",
        _ => null,
    };
}
