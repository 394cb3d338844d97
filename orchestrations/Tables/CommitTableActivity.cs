using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// Commits a succeeded run to its dataset's curated Delta table, once: the txn appId is the run id, so a retried or
/// replayed activity finds its own commit and writes nothing. The commit rule is <see cref="TableCommitPlanner"/>'s.
/// </summary>
public sealed class CommitTableActivity(DatasetTables tables, FrozenDefinitions definitions, ILogger<CommitTableActivity> logger)
    : TaskActivity<CommitTableRequest, TableCommit>
{
    /// <summary>
    /// Test hook for crash tests: <c>before:MS</c> or <c>after:MS</c> pauses the activity that long before or after its
    /// commit, so a test can SIGKILL the host there. Unset in every deployment.
    /// </summary>
    public const string PauseVariable = "TRIBUTARY_TEST_TABLE_COMMIT_PAUSE";

    public override async Task<TableCommit> RunAsync(TaskActivityContext context, CommitTableRequest request)
    {
        using var scope = TributaryTelemetry.RunScope(logger, request.RunId, request.Dataset);
        using var span = TributaryTelemetry.StartRunSpan(TributaryTelemetry.Spans.TableCommit, request.RunId, request.Dataset);
        try
        {
            var commit = await CommitAsync(request);
            span?.SetTag(TributaryTelemetry.Attributes.TableVersion, commit.Version);
            span?.SetTag("tributary.table.files_added", commit.FilesAdded);
            span?.SetTag("tributary.table.files_removed", commit.FilesRemoved);
            span?.SetTag("tributary.table.conflicts", commit.Conflicts);
            return commit;
        }
        catch (Exception e) when (TributaryTelemetry.Failed(span, e))
        {
            throw;
        }
    }

    private async Task<TableCommit> CommitAsync(CommitTableRequest request)
    {
        var definition = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        var schema = TableSchemas.Of(definition);
        await PauseAsync("before", request.RunId);

        IReadOnlyList<string> stale = [];
        var result = await DeltaCommitter.CommitAsync(
            tables.Curated(request.Dataset),
            request.RunId,
            snapshot =>
            {
                var decision = TableCommitPlanner.Plan(snapshot, request, schema, DateTimeOffset.UtcNow);
                stale = decision.StaleInputs;
                return decision.Plan;
            },
            new DeltaCommitOptions { Table = $"curated/{request.Dataset}", OnCheckpointFailed = (v, e) => logger.LogWarning(e, "Checkpoint of {Dataset} version {Version} failed", request.Dataset, v) });

        await PauseAsync("after", request.RunId);
        if (result.AlreadyCommitted)
        {
            logger.LogInformation("Run {RunId} was already committed to {Dataset} as version {Version}", request.RunId, request.Dataset, result.Version);
        }
        else
        {
            logger.LogInformation("Run {RunId} committed to {Dataset} as version {Version}: {Added} added, {Removed} removed, {Conflicts} conflicts, stale inputs [{Stale}]",
                request.RunId, request.Dataset, result.Version, result.FilesAdded, result.FilesRemoved, result.Conflicts, string.Join(", ", stale));
        }

        return new TableCommit(result.Version, result.FilesAdded, result.FilesRemoved, result.AlreadyCommitted, result.Conflicts, result.Attempts, result.AlreadyCommitted ? [] : stale);
    }

    private async Task PauseAsync(string where, string runId)
    {
        var setting = Environment.GetEnvironmentVariable(PauseVariable);
        if (setting?.Split(':') is [var at, var ms] && at == where && int.TryParse(ms, CultureInfo.InvariantCulture, out var millis))
        {
            logger.LogWarning("Test hook: run {RunId} pauses {Millis} ms {Where} its table commit", runId, millis, where);
            await Task.Delay(millis);
        }
    }
}
