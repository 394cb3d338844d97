using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Tables;

/// <summary>The run's one commit to its dataset's curated Delta table, as its own activity (see <see cref="TableCommitter"/>).</summary>
public sealed class CommitTableActivity(TableCommitter committer, ILogger<CommitTableActivity> logger)
    : TaskActivity<CommitTableRequest, TableCommit>
{
    /// <summary>The crash tests' pause hook; see <see cref="TableCommitter.PauseVariable"/>.</summary>
    public const string PauseVariable = TableCommitter.PauseVariable;

    public override Task<TableCommit> RunAsync(TaskActivityContext context, CommitTableRequest request) =>
        TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.TableCommit, request.RunId, request.Dataset, async span =>
        {
            var commit = await committer.CommitAsync(request);
            Tag(span, commit);
            return commit;
        });

    /// <summary>The table commit's span attributes (also set by the combined commit-and-refresh activity).</summary>
    public static void Tag(System.Diagnostics.Activity? span, TableCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        span?.SetTag(TributaryTelemetry.Attributes.TableVersion, commit.Version);
        span?.SetTag("tributary.table.files_added", commit.FilesAdded);
        span?.SetTag("tributary.table.files_removed", commit.FilesRemoved);
        span?.SetTag("tributary.table.conflicts", commit.Conflicts);
    }
}
