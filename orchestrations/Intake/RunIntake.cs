using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// Starts runs exactly once. The engine silently restarts an instance id that already exists, so intake
/// first wins a claim blob (create-if-absent) and only the winner schedules. Every host's trigger calls this.
/// </summary>
public sealed class RunIntake(
    IntakeClaims claims,
    DurableTaskClient client,
    PipelineOptions options,
    VersionClaims versions,
    ArrivalRecords arrivals,
    DatasetCatalog catalog,
    BatchSealMessages seals,
    ILogger<RunIntake> logger)
{
    /// <summary>
    /// Takes in one blob version that arrived under incoming/{dataset}/... With the dataset's batch window off, the
    /// version gets its own run (id from <see cref="RunIds.ForBlob"/>); with it on, it waits in the window and the
    /// <see cref="ArrivalBatcher"/> seals it into a run. Either way a version lands in one run only.
    /// </summary>
    public async Task<IntakeOutcome> SubmitBlobAsync(string blobName, string etag, long size, CancellationToken cancellationToken = default)
    {
        using var span = TributaryTelemetry.Source.StartActivity(TributaryTelemetry.Spans.IntakeBlob);
        span?.SetTag(TributaryTelemetry.Attributes.Input, blobName);
        try
        {
            var outcome = await SubmitAsync(blobName, etag, size, cancellationToken);
            span?.SetTag(TributaryTelemetry.Attributes.RunId, outcome.RunId);
            span?.SetTag(TributaryTelemetry.Attributes.Decision, outcome.Decision.ToString());
            return outcome;
        }
        catch (Exception e) when (TributaryTelemetry.Failed(span, e))
        {
            throw;
        }
    }

    private async Task<IntakeOutcome> SubmitAsync(string blobName, string etag, long size, CancellationToken cancellationToken)
    {
        var dataset = StorageLayout.DatasetOf(blobName) ?? RunIds.UnassignedDataset;
        var input = new BlobReference(BlobContainers.Incoming, blobName, etag.Trim('"'), size);
        var window = WindowOf(dataset);
        if (window.IsEnabled)
        {
            var queued = await arrivals.AddAsync(dataset, input, DateTimeOffset.UtcNow, cancellationToken);
            if (queued.Decision == IntakeDecision.Queued)
            {
                // The seal request comes due with the window, so no timer has to be running when it does.
                await seals.ScheduleAsync(dataset, window, cancellationToken);
            }

            return queued;
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

    /// <summary>
    /// Claims the run and schedules it. The span is current while the orchestration is scheduled, so the SDK client
    /// passes its trace context on: the run's orchestration and activity spans join the intake's trace.
    /// </summary>
    public async Task<IntakeOutcome> StartAsync(IngestRequest request, CancellationToken cancellationToken = default)
    {
        using var scope = TributaryTelemetry.RunScope(logger, request.RunId, request.Dataset);
        using var span = TributaryTelemetry.StartRunSpan(TributaryTelemetry.Spans.IntakeStart, request.RunId, request.Dataset);
        try
        {
            var body = IntakeClaims.BodyOf(request, DateTimeOffset.UtcNow);
            var outcome = await claims.TryCreateAsync(body, request.RunId, scheduled: false, cancellationToken)
                ? await ScheduleAsync(request, cancellationToken)
                : await ResolveExistingClaimAsync(body, request, cancellationToken);
            span?.SetTag(TributaryTelemetry.Attributes.Decision, outcome.Decision.ToString());
            return outcome;
        }
        catch (Exception e) when (TributaryTelemetry.Failed(span, e))
        {
            throw;
        }
    }

    private async Task<IntakeOutcome> ResolveExistingClaimAsync(BinaryData body, IngestRequest request, CancellationToken cancellationToken)
    {
        var properties = (await claims.BlobOf(request.RunId).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        if (properties.Metadata.ContainsKey(IntakeClaims.ScheduledMetadataKey))
        {
            return new IntakeOutcome(request.RunId, IntakeDecision.AlreadyStarted);
        }

        if (await client.GetInstanceAsync(request.RunId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            await claims.MarkScheduledAsync(request.RunId, cancellationToken);
            return new IntakeOutcome(request.RunId, IntakeDecision.AlreadyStarted);
        }

        // A claim with no instance: either its owner is scheduling right now, or it crashed in between.
        if (DateTimeOffset.UtcNow - properties.LastModified < options.IntakeClaimTimeout)
        {
            return new IntakeOutcome(request.RunId, IntakeDecision.ClaimedElsewhere);
        }

        // Take the stale claim over by rewriting it; only one taker wins the ETag race.
        if (!await claims.TryTakeOverAsync(body, request.RunId, properties.ETag, cancellationToken))
        {
            return new IntakeOutcome(request.RunId, IntakeDecision.ClaimedElsewhere);
        }

        logger.LogWarning("Run {RunId}: taking over a stale intake claim", request.RunId);
        return await ScheduleAsync(request, cancellationToken);
    }

    private async Task<IntakeOutcome> ScheduleAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(IngestOrchestrator), request, new StartOrchestrationOptions(request.RunId), cancellationToken);
        await claims.MarkScheduledAsync(request.RunId, cancellationToken);
        logger.LogInformation("Run {RunId} started for {Dataset} over {Count} input(s)", request.RunId, request.Dataset, request.Inputs.Count);
        return new IntakeOutcome(request.RunId, IntakeDecision.Started);
    }
}
