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
    BlobStore store,
    ILogger<RunIntake> logger)
{
    /// <summary>Version claims taken at once while a drop is sealed: each is one round trip, waiting far longer than it computes.</summary>
    private const int DropClaimParallelism = 32;

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
        if (StorageLayout.IsDropManifest(blobName))
        {
            return (await SealDropAsync(blobName, cancellationToken: cancellationToken)).Outcome;
        }

        var dataset = StorageLayout.DatasetOf(blobName) ?? RunIds.UnassignedDataset;
        var input = new BlobReference(BlobContainers.Incoming, blobName, etag.Trim('"'), size);
        var window = WindowOf(dataset);
        if (window.IsEnabled)
        {
            var queued = await arrivals.AddAsync(dataset, input, DateTimeOffset.UtcNow, cancellationToken);
            if (queued.Decision == IntakeDecision.Queued)
            {
                // The seal request comes due with the window, so no timer has to be running when it does.
                await seals.ScheduleAsync(dataset, window, input.Size, cancellationToken);
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

    /// <summary>
    /// Seals a drop (its manifest at incoming/<paramref name="manifestName"/>) into runs of at most the dataset's batch
    /// maxFiles (else <see cref="PipelineOptions.DropMaxFilesPerRun"/>), at once: no window. Each file's version is
    /// taken for its part's run through <see cref="VersionClaims"/>, so a version some other path took first (its own
    /// run, a sealed window) stays there and is left out here. The manifest is deleted once every part is started;
    /// until then any path that sees it (watcher, event, sweep) seals again, with the same run ids.
    /// </summary>
    /// <param name="landed">
    /// Last-Modified of the versions the caller just listed (name, ETag): carried into the run, so planning need not ask
    /// storage for each again. Versions not in it are asked for as before.
    /// </param>
    public async Task<DropSeal> SealDropAsync(string manifestName, IReadOnlyDictionary<(string Name, string ETag), DateTimeOffset>? landed = null, CancellationToken cancellationToken = default)
    {
        var dataset = StorageLayout.DatasetOfDropManifest(manifestName) ?? RunIds.UnassignedDataset;
        DropManifest? manifest;
        try
        {
            manifest = await store.ReadJsonAsync<DropManifest>(BlobContainers.Incoming, manifestName, cancellationToken);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // Left in place for a person to look at; its files are taken in one by one once the wait for it is over.
            logger.LogWarning(ex, "Drop manifest {Manifest} is not readable; its files are taken in one by one", manifestName);
            return new DropSeal(new IntakeOutcome(string.Empty, IntakeDecision.AlreadyStarted), [], []);
        }

        if (manifest is null)
        {
            // Sealed and deleted by another path a moment ago.
            return new DropSeal(new IntakeOutcome(string.Empty, IntakeDecision.AlreadyStarted), [], []);
        }

        // Only the dataset's own folder: a manifest cannot pull another dataset's (or another container's) blobs in.
        var files = manifest.Files
            .Where(f => StorageLayout.DatasetOf(f.Name) == dataset)
            .Select(f => new BlobReference(BlobContainers.Incoming, f.Name, f.ETag.Trim('"'), f.Size, landed is not null && landed.TryGetValue((f.Name, f.ETag.Trim('"')), out var at) ? at : null))
            .ToList();
        var window = WindowOf(dataset);
        var parts = DropPlanner.Parts(files, DropPlanner.MaxFilesPerRun(window, options));
        var runs = new List<IntakeOutcome>();
        for (var part = 0; part < parts.Count; part++)
        {
            var runId = RunIds.ForDrop(dataset, manifest.DropId, part);
            var members = parts[part];
            var owned = new bool[members.Count];
            await Parallel.ForAsync(0, members.Count, new ParallelOptions { MaxDegreeOfParallelism = DropClaimParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
                owned[i] = await versions.TryTakeAsync(dataset, members[i], runId, force: false, ct));
            var inputs = members.Where((_, i) => owned[i]).ToList();
            if (inputs.Count == 0)
            {
                continue;
            }

            var outcome = await StartAsync(new IngestRequest(runId, dataset, inputs, MaxChunksInFlight: options.MaxChunksInFlight), cancellationToken);
            runs.Add(outcome);
            if (outcome.Decision == IntakeDecision.ClaimedElsewhere)
            {
                // Another intake is starting this part right now: the manifest stays, and the next look finishes the drop.
                return new DropSeal(outcome, runs, files);
            }
        }

        await store.DeleteIfExistsAsync(BlobContainers.Incoming, manifestName, cancellationToken);
        logger.LogInformation("Drop {DropId} of {Dataset}: {Files} file(s) sealed into {Runs} run(s)", manifest.DropId, dataset, files.Count, runs.Count);
        var first = runs.FirstOrDefault(r => r.Decision == IntakeDecision.Started) ?? runs.FirstOrDefault() ?? new IntakeOutcome(string.Empty, IntakeDecision.AlreadyStarted);
        return new DropSeal(first, runs, files);
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
