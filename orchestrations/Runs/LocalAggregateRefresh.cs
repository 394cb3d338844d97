using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The embedded aggregation step of a run: refreshes the dataset aggregate (results/{dataset}/aggregate/) with DuckDB
/// to at least the curated version the run committed. With <see cref="RunShapeOptions.CoalesceRefreshes"/>, one
/// dataset's refreshes on this host run one at a time, each to the newest version this host committed, and the runs
/// that arrive while one runs share the next (<see cref="JoinedRefreshes"/>): about one recompute for a burst of runs.
/// </summary>
public sealed class LocalAggregateRefresh(
    FrozenDefinitions definitions, AggregateRefresher refresher, PipelineOptions options, NewestTableVersions versions, ILogger<LocalAggregateRefresh>? logger = null)
{
    /// <summary>
    /// Test-only hook for crash tests, like <see cref="TableCommitter.PauseVariable"/>: <c>before:MS</c> pauses the
    /// refresh that long before it starts, so a test can SIGKILL the host there. Unset in every deployment.
    /// </summary>
    public const string PauseVariable = "TRIBUTARY_TEST_REFRESH_PAUSE";

    private readonly JoinedRefreshes refreshes = new();

    public async Task<AggregationOutcome> RefreshAsync(AggregationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.CuratedVersion is not { } curatedVersion)
        {
            return new AggregationOutcome(AggregationEngines.DuckDb, null, null, 0, [], AggregationState.Succeeded, "nothing was committed to the curated table: the aggregate is unchanged");
        }

        var definition = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        await TestPause.AtAsync(PauseVariable, "before", logger, $"aggregate refresh to curated version {curatedVersion}", request.RunId);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (refresh, joined) = options.RunShape.CoalesceRefreshes
            ? await refreshes.RunAsync(request.Dataset, request.DefinitionHash ?? "", curatedVersion, target =>
                refresher.RefreshAsync(request.Dataset, definition.Aggregation, Math.Max(target, versions.Of(request.Dataset, request.DefinitionHash) ?? target), request.RunId))
            : (await refresher.RefreshAsync(request.Dataset, definition.Aggregation, curatedVersion, request.RunId), false);
        var message = joined
            ? $"refreshed to curated version {refresh.CuratedVersion} with the runs committed beside this one"
            : refresh.Committed
                ? $"{refresh.GroupsRefreshed} group(s) refreshed{(refresh.Full ? " (full recompute)" : "")}{(refresh.Batches > 1 ? $" in {refresh.Batches} batches" : "")}"
                : $"the aggregate already reflects curated version {refresh.CuratedVersion}";
        logger?.LogInformation("Aggregate of {Dataset} at curated version {CuratedVersion} for run {RunId} (version {Version}) after {Ms:F0} ms: {Message}",
            request.Dataset, refresh.CuratedVersion, request.RunId, curatedVersion, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, message);
        return new AggregationOutcome(
            AggregationEngines.DuckDb, null, null, joined ? 0 : refresh.GroupsRefreshed, [StorageLayout.AggregateTablePath(request.Dataset)], AggregationState.Succeeded, message,
            AggregateVersion: refresh.AggregateVersion, CuratedVersion: refresh.CuratedVersion);
    }
}
