using System.Globalization;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// After a Databricks refresh succeeded: reads the job's summary, checks the aggregate Delta table with our own log reader
/// (it exists and records a curated version at least the one the job read, unless the job dropped a stale refresh) and
/// returns the outcome for the manifest. There is no per-run summary: the aggregate is the table, what the refresh did
/// is the manifest's outcome (as for DuckDB). A missing summary or table is a failed aggregation, not a success with
/// nothing in it.
/// </summary>
public sealed class CollectDatabricksResultActivity(BlobStore store, DatasetTables tables)
    : TaskActivity<CollectDatabricksResultInput, AggregationOutcome>
{
    public override async Task<AggregationOutcome> RunAsync(TaskActivityContext context, CollectDatabricksResultInput input)
    {
        var engineRunId = input.DatabricksRunId.ToString(CultureInfo.InvariantCulture);
        var jobSummaryName = StorageLayout.DatabricksJobSummary(input.Dataset, input.RunId);
        var tablePath = StorageLayout.AggregateTablePath(input.Dataset);
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

        List<string> outputs = [tablePath, $"{BlobContainers.Results}/{jobSummaryName}"];
        return new AggregationOutcome(AggregationEngines.Databricks, engineRunId, input.RunPageUrl, GroupsRefreshed(jobSummary, snapshot), outputs, AggregationState.Succeeded,
            Describe(jobSummary, recorded) ?? input.Message, AggregateVersion: jobSummary.AggregateVersion ?? snapshot.Version, CuratedVersion: recorded);
    }

    /// <summary>As DuckDB reports it: the groups an incremental refresh was given, every row of a full one, none when skipped.</summary>
    public static long GroupsRefreshed(DatabricksJobSummary summary, DeltaSnapshot table) => summary.Action switch
    {
        DatabricksJobSummary.Applied when summary.Mode == "incremental" && summary.Groups is { } groups => groups,
        DatabricksJobSummary.Applied => summary.Rows ?? table.TotalRecords ?? 0,
        _ => 0,
    };

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
