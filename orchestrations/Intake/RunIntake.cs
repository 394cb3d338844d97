using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// Starts runs exactly once. The engine silently restarts an instance id that already exists, so intake
/// first wins a claim blob (create-if-absent) and only the winner schedules. Every host's trigger calls this.
/// </summary>
public sealed class RunIntake(
    BlobStore store,
    DurableTaskClient client,
    PipelineOptions options,
    VersionClaims versions,
    ArrivalRecords arrivals,
    DatasetCatalog catalog,
    ILogger<RunIntake> logger)
{
    public const string ScheduledMetadataKey = "scheduled";

    /// <summary>
    /// Takes in one blob version that arrived under incoming/{dataset}/... With the dataset's batch window off, the
    /// version gets its own run (id from <see cref="RunIds.ForBlob"/>); with it on, it waits in the window and the
    /// <see cref="Batching.ArrivalBatcher"/> seals it into a run. Either way a version lands in one run only.
    /// </summary>
    public async Task<IntakeOutcome> SubmitBlobAsync(string blobName, string etag, long size, CancellationToken cancellationToken = default)
    {
        var dataset = StorageLayout.DatasetOf(blobName) ?? RunIds.UnassignedDataset;
        var input = new BlobReference(BlobContainers.Incoming, blobName, etag.Trim('"'), size);
        if (WindowOf(dataset).IsEnabled)
        {
            return await arrivals.AddAsync(dataset, input, DateTimeOffset.UtcNow, cancellationToken);
        }

        var runId = RunIds.ForBlob(dataset, blobName, input.ETag);
        var version = await versions.ClaimAsync(dataset, input, runId, cancellationToken);
        if (version.Owner != runId)
        {
            // Taken by a batch window or a backfill already (owner null: still waiting in a window).
            return new IntakeOutcome(version.Owner ?? string.Empty, version.Owner is null ? IntakeDecision.Queued : IntakeDecision.AlreadyStarted);
        }

        return await StartAsync(new IngestRequest(runId, dataset, [input], MaxChunksInFlight: options.MaxChunksInFlight), cancellationToken);
    }

    /// <summary>The batch window of a dataset: its definition's, else the pipeline default; none for unknown or invalid datasets.</summary>
    public BatchWindow WindowOf(string dataset)
    {
        try
        {
            var definition = catalog.Find(dataset);
            return definition is null ? BatchWindow.None : definition.Batch ?? options.Batch;
        }
        catch (DatasetDefinitionException)
        {
            return BatchWindow.None;
        }
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
