using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>Commits a run through <see cref="RunCommitter"/>: the manifest last, then the completion message.</summary>
public sealed class CommitRunActivity(RunCommitter committer, ILogger<CommitRunActivity>? logger = null) : TaskActivity<RunManifest, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, RunManifest manifest)
    {
        using var scope = TributaryTelemetry.RunScope(logger, manifest.RunId, manifest.Dataset);
        using var span = TributaryTelemetry.StartRunSpan(TributaryTelemetry.Spans.RunCommit, manifest.RunId, manifest.Dataset);
        span?.SetTag(TributaryTelemetry.Attributes.Status, manifest.Status.ToString());
        span?.SetTag(TributaryTelemetry.Attributes.RowsRead, manifest.Totals.RowsRead);
        span?.SetTag(TributaryTelemetry.Attributes.RowsCurated, manifest.Totals.RowsCurated);
        span?.SetTag(TributaryTelemetry.Attributes.RowsRejected, manifest.Totals.RowsRejected);
        try
        {
            await committer.CommitAsync(manifest, onlyIfAbsent: false);
            return RunCommitter.PathOf(manifest);
        }
        catch (Exception e) when (TributaryTelemetry.Failed(span, e))
        {
            throw;
        }
    }
}
