using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The embedded aggregation step of a run: refreshes the dataset aggregate (results/{dataset}/aggregate/) with DuckDB
/// to at least the curated version the run committed. With <see cref="RunShapeOptions.CoalesceRefreshes"/>, one
/// dataset's refreshes on this host run one at a time and each goes to the newest version this host committed, so the
/// refreshes that waited find their version already reflected and do nothing (one recompute for a burst of runs).
/// </summary>
public sealed class LocalAggregateRefresh(
    FrozenDefinitions definitions, AggregateRefresher refresher, PipelineOptions options, NewestTableVersions versions, ILogger<LocalAggregateRefresh>? logger = null)
{
    /// <summary>
    /// Test-only hook for crash tests, like <see cref="TableCommitter.PauseVariable"/>: <c>before:MS</c> pauses the
    /// refresh that long before it starts, so a test can SIGKILL the host there. Unset in every deployment.
    /// </summary>
    public const string PauseVariable = "TRIBUTARY_TEST_REFRESH_PAUSE";

    private readonly OneWriterPerDataset queue = new();

    public async Task<AggregationOutcome> RefreshAsync(AggregationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.CuratedVersion is not { } curatedVersion)
        {
            return new AggregationOutcome(AggregationEngines.DuckDb, null, null, 0, [], AggregationState.Succeeded, "nothing was committed to the curated table: the aggregate is unchanged");
        }

        var definition = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        await TestPause.AtAsync(PauseVariable, "before", logger, $"aggregate refresh to curated version {curatedVersion}", request.RunId);
        var refresh = options.RunShape.CoalesceRefreshes
            ? await queue.RunAsync(request.Dataset, () =>
                refresher.RefreshAsync(request.Dataset, definition.Aggregation, Math.Max(curatedVersion, versions.Of(request.Dataset, request.DefinitionHash) ?? curatedVersion), request.RunId))
            : await refresher.RefreshAsync(request.Dataset, definition.Aggregation, curatedVersion, request.RunId);
        var message = refresh.Committed
            ? $"{refresh.GroupsRefreshed} group(s) refreshed{(refresh.Full ? " (full recompute)" : "")}{(refresh.Batches > 1 ? $" in {refresh.Batches} batches" : "")}"
            : $"the aggregate already reflects curated version {refresh.CuratedVersion}";
        return new AggregationOutcome(
            AggregationEngines.DuckDb, null, null, refresh.GroupsRefreshed, [StorageLayout.AggregateTablePath(request.Dataset)], AggregationState.Succeeded, message,
            AggregateVersion: refresh.AggregateVersion, CuratedVersion: refresh.CuratedVersion);
    }
}
