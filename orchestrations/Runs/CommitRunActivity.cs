using Azure;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Processing.Compression;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// Commits a run through <see cref="RunCommitter"/>: a drafted manifest's chunks read back from where processing kept
/// them (<see cref="ChunkResultFiles"/>), the manifest last, then the completion message; then the run's staged gzip
/// copies go (<see cref="StagedCopies"/>): no chunk of the run reads them any more. Returns the manifest as committed.
/// </summary>
public sealed class CommitRunActivity(RunCommitter committer, BlobStore store, ChunkResultFiles results, ILogger<CommitRunActivity>? logger = null)
    : TaskActivity<RunManifest, RunManifest>
{
    public override async Task<RunManifest> RunAsync(TaskActivityContext context, RunManifest draft)
    {
        var manifest = await results.CompleteAsync(draft);
        await TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.RunCommit, manifest.RunId, manifest.Dataset, async span =>
        {
            span?.SetTag(TributaryTelemetry.Attributes.Status, manifest.Status.ToString());
            span?.SetTag(TributaryTelemetry.Attributes.RowsRead, manifest.Totals.RowsRead);
            span?.SetTag(TributaryTelemetry.Attributes.RowsCurated, manifest.Totals.RowsCurated);
            span?.SetTag(TributaryTelemetry.Attributes.RowsRejected, manifest.Totals.RowsRejected);
            await committer.CommitAsync(manifest, onlyIfAbsent: false);
            return true;
        });

        try
        {
            await StagedCopies.DeleteAsync(store, manifest.Dataset, manifest.RunId);
        }
        catch (RequestFailedException ex)
        {
            // The run is committed either way; a leftover copy is only space.
            logger?.LogWarning("Run {RunId}: its staged gzip copies could not be deleted ({Error})", manifest.RunId, ex.Message);
        }

        return manifest;
    }
}
