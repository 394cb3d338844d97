using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The embedded aggregation: refreshes the dataset aggregate table (results/{dataset}/aggregate/) with DuckDB to the
/// curated version the run committed. The run's own counts stay in its manifest; there is no per-run aggregate.
/// </summary>
public sealed class RefreshAggregateActivity(FrozenDefinitions definitions, AggregateRefresher refresher, ILogger<RefreshAggregateActivity>? logger = null)
    : TaskActivity<AggregationRequest, AggregationOutcome>
{
    /// <summary>
    /// Test-only hook for crash tests, like <see cref="Tables.CommitTableActivity.PauseVariable"/>: <c>before:MS</c> pauses
    /// the activity that long before it refreshes the aggregate, so a test can SIGKILL the host there. Unset in every deployment.
    /// </summary>
    public const string PauseVariable = "TRIBUTARY_TEST_REFRESH_PAUSE";

    public override async Task<AggregationOutcome> RunAsync(TaskActivityContext context, AggregationRequest request)
    {
        using var scope = TributaryTelemetry.RunScope(logger, request.RunId, request.Dataset);
        using var span = TributaryTelemetry.StartRunSpan(TributaryTelemetry.Spans.Aggregate, request.RunId, request.Dataset);
        span?.SetTag(TributaryTelemetry.Attributes.Engine, AggregationEngines.DuckDb);
        span?.SetTag(TributaryTelemetry.Attributes.TableVersion, request.CuratedVersion);
        try
        {
            var outcome = await RefreshAsync(request);
            span?.SetTag("tributary.aggregate.groups", outcome.ResultRows);
            span?.SetTag("tributary.aggregate.version", outcome.AggregateVersion);
            return outcome;
        }
        catch (Exception e) when (TributaryTelemetry.Failed(span, e))
        {
            throw;
        }
    }

    private async Task<AggregationOutcome> RefreshAsync(AggregationRequest request)
    {
        if (request.CuratedVersion is not { } curatedVersion)
        {
            return new AggregationOutcome(AggregationEngines.DuckDb, null, null, 0, [], AggregationState.Succeeded, "nothing was committed to the curated table: the aggregate is unchanged");
        }

        var definition = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        await PauseAsync("before", request.RunId, curatedVersion);
        var refresh = await refresher.RefreshAsync(request.Dataset, definition.Aggregation, curatedVersion, request.RunId);
        var message = refresh.Committed
            ? $"{refresh.GroupsRefreshed} group(s) refreshed{(refresh.Full ? " (full recompute)" : "")}"
            : $"the aggregate already reflects curated version {refresh.CuratedVersion}";
        return new AggregationOutcome(
            AggregationEngines.DuckDb, null, null, refresh.GroupsRefreshed, [StorageLayout.AggregateTablePath(request.Dataset)], AggregationState.Succeeded, message,
            AggregateVersion: refresh.AggregateVersion, CuratedVersion: refresh.CuratedVersion);
    }

    private async Task PauseAsync(string where, string runId, long curatedVersion)
    {
        var setting = Environment.GetEnvironmentVariable(PauseVariable);
        if (setting?.Split(':') is [var at, var ms] && at == where && int.TryParse(ms, CultureInfo.InvariantCulture, out var millis))
        {
            logger?.LogWarning("Test hook: run {RunId} pauses {Millis} ms {Where} its aggregate refresh to curated version {CuratedVersion}", runId, millis, where, curatedVersion);
            await Task.Delay(millis);
        }
    }
}
