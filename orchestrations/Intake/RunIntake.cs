using Microsoft.DurableTask;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Models;
using Tributary.Orchestrations.Orchestrators;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// Starts runs exactly once. The engine silently restarts an instance id that already exists, so intake
/// first wins a claim blob (create-if-absent) and only the winner schedules. Every host's trigger calls this.
/// </summary>
public sealed class RunIntake(BlobStore store, DurableTaskClient client, PipelineOptions options, ILogger<RunIntake> logger)
{
    private const string ScheduledMetadataKey = "scheduled";

    /// <summary>Takes in one blob version that arrived under incoming/{dataset}/...</summary>
    public Task<IntakeOutcome> SubmitBlobAsync(string blobName, string etag, long size, CancellationToken cancellationToken = default)
    {
        var dataset = StorageLayout.DatasetOf(blobName) ?? RunIds.UnassignedDataset;
        var input = new BlobReference(BlobContainers.Incoming, blobName, etag.Trim('"'), size);
        var request = new IngestRequest(RunIds.ForBlob(dataset, blobName, input.ETag), dataset, [input], MaxChunksInFlight: options.MaxChunksInFlight);
        return StartAsync(request, cancellationToken);
    }

    public async Task<IntakeOutcome> StartAsync(IngestRequest request, CancellationToken cancellationToken = default)
    {
        var claim = store.Blob(BlobContainers.State, StorageLayout.IntakeClaim(request.RunId));
        var body = BinaryData.FromObjectAsJson(new IntakeClaim(request.RunId, request, DateTimeOffset.UtcNow), BlobStore.Json);
        try
        {
            await claim.UploadAsync(body, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return await ScheduleAsync(claim, request, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await ResolveExistingClaimAsync(claim, body, request, cancellationToken);
        }
    }

    private async Task<IntakeOutcome> ResolveExistingClaimAsync(Azure.Storage.Blobs.BlobClient claim, BinaryData body, IngestRequest request, CancellationToken cancellationToken)
    {
        var properties = (await claim.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        if (properties.Metadata.ContainsKey(ScheduledMetadataKey))
        {
            return new IntakeOutcome(request.RunId, IntakeDecision.AlreadyStarted);
        }

        if (await client.GetInstanceAsync(request.RunId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            await MarkScheduledAsync(claim, cancellationToken);
            return new IntakeOutcome(request.RunId, IntakeDecision.AlreadyStarted);
        }

        // A claim with no instance: either its owner is scheduling right now, or it crashed in between.
        if (DateTimeOffset.UtcNow - properties.LastModified < options.IntakeClaimTimeout)
        {
            return new IntakeOutcome(request.RunId, IntakeDecision.ClaimedElsewhere);
        }

        try
        {
            // Take the stale claim over by rewriting it; only one taker wins the ETag race.
            await claim.UploadAsync(body, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return new IntakeOutcome(request.RunId, IntakeDecision.ClaimedElsewhere);
        }

        logger.LogWarning("Run {RunId}: taking over a stale intake claim", request.RunId);
        return await ScheduleAsync(claim, request, cancellationToken);
    }

    private async Task<IntakeOutcome> ScheduleAsync(Azure.Storage.Blobs.BlobClient claim, IngestRequest request, CancellationToken cancellationToken)
    {
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(IngestOrchestrator), request, new StartOrchestrationOptions(request.RunId), cancellationToken);
        await MarkScheduledAsync(claim, cancellationToken);
        logger.LogInformation("Run {RunId} started for {Dataset} over {Count} input(s)", request.RunId, request.Dataset, request.Inputs.Count);
        return new IntakeOutcome(request.RunId, IntakeDecision.Started);
    }

    private static async Task MarkScheduledAsync(Azure.Storage.Blobs.BlobClient claim, CancellationToken cancellationToken) =>
        await claim.SetMetadataAsync(new Dictionary<string, string> { [ScheduledMetadataKey] = "true" }, cancellationToken: cancellationToken);
}
