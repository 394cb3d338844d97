using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// With the local DuckDB aggregation: the run's table commit, then the aggregate refresh to the version it made, in one
/// activity (one engine round trip instead of two; <see cref="RunShapeOptions.CommitWithRefresh"/>). Each step keeps
/// its span and its idempotency: a redelivered activity finds its commit (txn) and a refresh already reflected.
/// </summary>
public sealed class CommitAndRefreshActivity(TableCommitter committer, LocalAggregateRefresh refresh, ILogger<CommitAndRefreshActivity>? logger = null)
    : TaskActivity<CommitAndRefreshRequest, CommittedAndRefreshed>
{
    public override async Task<CommittedAndRefreshed> RunAsync(TaskActivityContext context, CommitAndRefreshRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = request.Table;
        var commit = await TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.TableCommit, table.RunId, table.Dataset, async span =>
        {
            var commit = await committer.CommitAsync(table);
            CommitTableActivity.Tag(span, commit);
            return commit;
        });

        var aggregation = await TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.Aggregate, table.RunId, table.Dataset, async span =>
        {
            span?.SetTag(TributaryTelemetry.Attributes.Engine, AggregationEngines.DuckDb);
            span?.SetTag(TributaryTelemetry.Attributes.TableVersion, commit.Version);
            var outcome = await refresh.RefreshAsync(new AggregationRequest(table.RunId, table.Dataset, request.CuratedParts, table.DefinitionHash, commit.Version));
            RefreshAggregateActivity.Tag(span, outcome);
            return outcome;
        });

        return new CommittedAndRefreshed(commit, aggregation);
    }
}
