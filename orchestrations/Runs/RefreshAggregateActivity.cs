using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The embedded aggregation as its own activity (see <see cref="LocalAggregateRefresh"/>). The run's own counts stay
/// in its manifest; there is no per-run aggregate.
/// </summary>
public sealed class RefreshAggregateActivity(LocalAggregateRefresh refresh, ILogger<RefreshAggregateActivity>? logger = null)
    : TaskActivity<AggregationRequest, AggregationOutcome>
{
    /// <summary>The crash tests' pause hook; see <see cref="LocalAggregateRefresh.PauseVariable"/>.</summary>
    public const string PauseVariable = LocalAggregateRefresh.PauseVariable;

    public override Task<AggregationOutcome> RunAsync(TaskActivityContext context, AggregationRequest request) =>
        TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.Aggregate, request.RunId, request.Dataset, async span =>
        {
            span?.SetTag(TributaryTelemetry.Attributes.Engine, AggregationEngines.DuckDb);
            span?.SetTag(TributaryTelemetry.Attributes.TableVersion, request.CuratedVersion);
            var outcome = await refresh.RefreshAsync(request);
            Tag(span, outcome);
            return outcome;
        });

    /// <summary>The refresh's span attributes (also set by the combined commit-and-refresh activity).</summary>
    public static void Tag(System.Diagnostics.Activity? span, AggregationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        span?.SetTag("tributary.aggregate.groups", outcome.ResultRows);
        span?.SetTag("tributary.aggregate.version", outcome.AggregateVersion);
    }
}
