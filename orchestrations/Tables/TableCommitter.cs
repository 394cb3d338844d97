using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// Commits a succeeded run to its dataset's curated Delta table, once: the txn appId is the run id, so a retried or
/// replayed commit finds its own and writes nothing. The commit rule is <see cref="TableCommitPlanner"/>'s. With
/// <see cref="RunShapeOptions.CommitQueue"/>, this host's commits to one table go through one writer in order, so they
/// no longer lose races to each other; commits from other hosts are still settled by the optimistic protocol.
/// </summary>
public sealed class TableCommitter(DatasetTables tables, FrozenDefinitions definitions, PipelineOptions options, NewestTableVersions versions, ILogger<TableCommitter>? logger = null)
{
    /// <summary>
    /// Test hook for crash tests: <c>before:MS</c> or <c>after:MS</c> pauses the commit that long before or after it
    /// writes, so a test can SIGKILL the host there. Unset in every deployment.
    /// </summary>
    public const string PauseVariable = "TRIBUTARY_TEST_TABLE_COMMIT_PAUSE";

    private readonly OneWriterPerDataset queue = new();

    // The one writer's last view of each table: its next commit reads only the commit files after it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeltaSnapshot> lastRead = new(StringComparer.Ordinal);
    public async Task<TableCommit> CommitAsync(CommitTableRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        var schema = TableSchemas.Of(definition);
        await TestPause.AtAsync(PauseVariable, "before", logger, "table commit", request.RunId);

        var commit = options.RunShape.CommitQueue
            ? await queue.RunAsync(request.Dataset, () => CommitOnceAsync(request, schema, lastRead.GetValueOrDefault(request.Dataset), remember: true))
            : await CommitOnceAsync(request, schema, known: null, remember: false);
        versions.Saw(request.Dataset, commit.Version, request.DefinitionHash);

        await TestPause.AtAsync(PauseVariable, "after", logger, "table commit", request.RunId);
        return commit;
    }

    private async Task<TableCommit> CommitOnceAsync(CommitTableRequest request, DeltaSchema schema, DeltaSnapshot? known, bool remember)
    {
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
            new DeltaCommitOptions { Table = $"curated/{request.Dataset}", Known = known, OnCheckpointFailed = (v, e) => logger?.LogWarning(e, "Checkpoint of {Dataset} version {Version} failed", request.Dataset, v) });
        if (remember && result.Snapshot is { } read)
        {
            lastRead[request.Dataset] = read;
        }

        if (result.AlreadyCommitted)
        {
            logger?.LogInformation("Run {RunId} was already committed to {Dataset} as version {Version}", request.RunId, request.Dataset, result.Version);
        }
        else
        {
            logger?.LogInformation("Run {RunId} committed to {Dataset} as version {Version}: {Added} added, {Removed} removed, {Conflicts} conflicts, stale inputs [{Stale}]",
                request.RunId, request.Dataset, result.Version, result.FilesAdded, result.FilesRemoved, result.Conflicts, string.Join(", ", stale));
        }

        return new TableCommit(result.Version, result.FilesAdded, result.FilesRemoved, result.AlreadyCommitted, result.Conflicts, result.Attempts, result.AlreadyCommitted ? [] : stale);
    }
}
