using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// The one writer of intake claims (tributary-state/intake/{runId}.json): the durable record that a run was
/// taken in. Per-blob intake and batch windows go through <see cref="RunIntake"/>; backfills, whose orchestrator
/// schedules its runs itself, record theirs with <see cref="RecordScheduledAsync"/>.
/// </summary>
public sealed class IntakeClaims(BlobStore store)
{
    public const string ScheduledMetadataKey = "scheduled";

    public BlobClient BlobOf(string runId) => store.Blob(BlobContainers.State, StorageLayout.IntakeClaim(runId));

    public static BinaryData BodyOf(IngestRequest request, DateTimeOffset claimedAt) =>
        BinaryData.FromObjectAsJson(new IntakeClaim(request.RunId, request, claimedAt), BlobStore.Json);

    /// <summary>Creates the claim if absent; false when a claim for the run exists already.</summary>
    public async Task<bool> TryCreateAsync(BinaryData body, string runId, bool scheduled, CancellationToken cancellationToken)
    {
        try
        {
            await BlobOf(runId).UploadAsync(body, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = scheduled ? ScheduledMetadata() : null,
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Rewrites a stale claim; only one taker wins the ETag race (false for the others).</summary>
    public async Task<bool> TryTakeOverAsync(BinaryData body, string runId, ETag seen, CancellationToken cancellationToken)
    {
        try
        {
            await BlobOf(runId).UploadAsync(body, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = seen } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    public async Task MarkScheduledAsync(string runId, CancellationToken cancellationToken) =>
        await BlobOf(runId).SetMetadataAsync(ScheduledMetadata(), cancellationToken: cancellationToken);

    /// <summary>
    /// Records a run an orchestrator schedules itself (a backfill batch). A retried listing finds the claim it
    /// wrote before and leaves it: claims are never overwritten unconditionally.
    /// </summary>
    public Task RecordScheduledAsync(IngestRequest request, DateTimeOffset claimedAt, CancellationToken cancellationToken) =>
        TryCreateAsync(BodyOf(request, claimedAt), request.RunId, scheduled: true, cancellationToken);

    private static Dictionary<string, string> ScheduledMetadata() => new() { [ScheduledMetadataKey] = "true" };
}
