using Microsoft.DurableTask;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The embedded aggregation: refreshes the dataset aggregate table (results/{dataset}/aggregate/) with DuckDB to the
/// curated version the run committed. The run's own counts stay in its manifest; there is no per-run aggregate.
/// </summary>
public sealed class RefreshAggregateActivity(FrozenDefinitions definitions, AggregateRefresher refresher)
    : TaskActivity<AggregationRequest, AggregationOutcome>
{
    public override async Task<AggregationOutcome> RunAsync(TaskActivityContext context, AggregationRequest request)
    {
        if (request.CuratedVersion is not { } curatedVersion)
        {
            return new AggregationOutcome(AggregationEngines.DuckDb, null, null, 0, [], AggregationState.Succeeded, "nothing was committed to the curated table: the aggregate is unchanged");
        }

        var definition = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        var refresh = await refresher.RefreshAsync(request.Dataset, definition.Aggregation, curatedVersion, request.RunId);
        var message = refresh.Committed
            ? $"{refresh.GroupsRefreshed} group(s) refreshed{(refresh.Full ? " (full recompute)" : "")}"
            : $"the aggregate already reflects curated version {refresh.CuratedVersion}";
        return new AggregationOutcome(
            AggregationEngines.DuckDb, null, null, refresh.GroupsRefreshed, [StorageLayout.AggregateTablePath(request.Dataset)], AggregationState.Succeeded, message,
            AggregateVersion: refresh.AggregateVersion, CuratedVersion: refresh.CuratedVersion);
    }
}
