using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Api;

/// <summary>
/// The runs API's behaviour, shared by every host. Runs are known by their intake claims and manifests in storage,
/// backfills (ids backfill-...) by their orchestration. Hosts without a DI-registered DurableTaskClient (the
/// Functions app binds one per call) build it with ActivatorUtilities.CreateInstance&lt;RunsApi&gt;(services, client).
/// </summary>
public sealed class RunsApi(
    DurableTaskClient client,
    RunCatalog catalog,
    RunIntake intake,
    DatasetCatalog datasets,
    BlobStore store,
    RunCommitter committer,
    IEngineRunCanceller engineCanceller,
    DatasetTables tables,
    PipelineOptions options,
    ILogger<RunsApi> logger) : IRunsApi
{
    public const string BackfillIdPrefix = "backfill-";

    public static readonly IReadOnlyList<RunStatus> Statuses = Enum.GetValues<RunStatus>();

    public async Task<ApiResult<RunAccepted>> RerunAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (ApiValidation.RunIdProblem(runId) is { } invalid)
        {
            return ApiProblem.BadRequest(invalid, ApiValidation.Errors(("runId", invalid)));
        }

        var claim = await catalog.FindClaimAsync(runId, cancellationToken);
        if (claim is null)
        {
            return ApiProblem.NotFound($"no run '{runId}'");
        }

        var attempt = 1;
        while (await ClaimExistsAsync(RunIds.ForRerun(runId, attempt), cancellationToken))
        {
            attempt++;
        }

        if (attempt > 1 && await IsActiveAsync(RunIds.ForRerun(runId, attempt - 1), cancellationToken))
        {
            return ApiProblem.Conflict($"rerun '{RunIds.ForRerun(runId, attempt - 1)}' of run '{runId}' is still running; cancel it or wait for it to finish");
        }

        var rerunId = RunIds.ForRerun(runId, attempt);
        var inputs = await ReadableInputsAsync(claim.Request, cancellationToken);
        var request = claim.Request with { RunId = rerunId, RerunOf = runId, Inputs = inputs, MaxChunksInFlight = options.MaxChunksInFlight };
        var outcome = await intake.StartAsync(request, cancellationToken);
        if (outcome.Decision != IntakeDecision.Started)
        {
            return ApiProblem.Conflict($"rerun '{rerunId}' of run '{runId}' was just started by another request");
        }

        return ApiResult.Accepted(new RunAccepted(rerunId, request.Dataset, RunStatus.Pending, runId, StatusUrl(rerunId)));
    }

    /// <summary>
    /// A rerun reads each input where it now is: in incoming while the processed version is still there, else at the
    /// archived copy the original run's manifest names (the input keeps its name and ETag, so the table still replaces
    /// the same input's rows). An input that is in neither place fails the rerun's planning as before.
    /// </summary>
    private async Task<IReadOnlyList<BlobReference>> ReadableInputsAsync(IngestRequest original, CancellationToken cancellationToken)
    {
        var manifest = await catalog.ReadManifestAsync(original.Dataset, original.RunId, cancellationToken);
        var archived = (manifest?.InputsAfterCommit ?? [])
            .Where(a => a.ArchivedAs is not null)
            .GroupBy(a => (a.Input.Name, ETag: a.Input.ETag.Trim('"')))
            .ToDictionary(g => g.Key, g => g.First());
        var inputs = new List<BlobReference>(original.Inputs.Count);
        foreach (var input in original.Inputs)
        {
            if (input.Archived is null
                && archived.TryGetValue((input.Name, input.ETag.Trim('"')), out var entry)
                && await store.LastModifiedAsync(input, cancellationToken) is null)
            {
                var name = entry.ArchivedAs![(BlobContainers.Archive.Length + 1)..];
                inputs.Add(input with { Archived = name, LastModified = input.LastModified ?? entry.Input.LastModified });
            }
            else
            {
                inputs.Add(input);
            }
        }

        return inputs;
    }

    public Task<ApiResult<RunAccepted>> ReprocessAsync(string dataset, ReprocessRequest request, CancellationToken cancellationToken = default) =>
        StartBackfillAsync(new BackfillRequest(dataset, request.Prefix, request.From, request.To, Force: request.Force, Archived: request.Archived), cancellationToken);

    public async Task<ApiResult<RunAccepted>> StartBackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default)
    {
        if (BackfillMessages.Validate(request) is { } invalid)
        {
            return invalid;
        }

        if (DatasetProblem(request.Dataset) is { } unknown)
        {
            return unknown;
        }

        var backfillId = $"{BackfillIdPrefix}{request.Dataset}-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var state = new BackfillState(
            backfillId,
            request,
            request.BatchSize ?? options.BackfillBatchSize,
            request.MaxParallel ?? options.BackfillMaxParallel,
            options.BackfillPageSize,
            options.BackfillPagesPerGeneration,
            options.MaxChunksInFlight,
            Continuation: null,
            Page: 0,
            Generation: 0,
            new BackfillProgress(backfillId, request.Dataset, "Pending"));
        // The record first: listings show the backfill beside runs, also to readers without an orchestration client.
        await store.UploadJsonAsync(BlobContainers.State, StorageLayout.BackfillRecord(backfillId), new BackfillRecord(backfillId, request.Dataset, request, DateTimeOffset.UtcNow), cancellationToken);
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(BackfillOrchestrator), state, new StartOrchestrationOptions(backfillId), cancellationToken);
        logger.LogInformation("Backfill {BackfillId} started for {Dataset} (prefix '{Prefix}', force {Force}, archived {Archived})", backfillId, request.Dataset, request.Prefix, request.Force, request.Archived);
        return ApiResult.Accepted(new RunAccepted(backfillId, request.Dataset, RunStatus.Pending, StatusUrl: StatusUrl(backfillId)));
    }

    public async Task<ApiResult<RunStatusResponse>> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (ApiValidation.RunIdProblem(runId) is { } invalid)
        {
            return ApiProblem.BadRequest(invalid, ApiValidation.Errors(("runId", invalid)));
        }

        var claim = await catalog.FindClaimAsync(runId, cancellationToken);
        if (claim is null)
        {
            return await GetBackfillAsync(runId, cancellationToken) is { } backfill
                ? ApiResult.Ok(backfill)
                : ApiProblem.NotFound($"no run '{runId}'");
        }

        var dataset = claim.Request.Dataset;
        var manifest = await catalog.ReadManifestAsync(dataset, runId, cancellationToken);
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        var progress = CustomStatus<RunProgress>(instance);
        var status = manifest?.Status ?? StatusOf(instance);
        return ApiResult.Ok(new RunStatusResponse(runId, dataset, status, progress, manifest));
    }

    public async Task<ApiResult<RunListResponse>> ListRunsAsync(string? dataset, string? status, int? top, string? continuation, CancellationToken cancellationToken = default)
    {
        RunStatus? knownStatus = Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _) ? parsed : null;
        var errors = ApiValidation.Errors(
            ("dataset", dataset is null ? null : ApiValidation.DatasetProblem(dataset)),
            ("status", status is not null && knownStatus is null ? $"status: '{ApiValidation.Shown(status)}' is not one of {string.Join(", ", Statuses)}" : null),
            ("top", top is < 1 or > ApiValidation.MaxTop ? $"top: between 1 and {ApiValidation.MaxTop}" : null));
        if (errors.Count > 0)
        {
            return ApiProblem.BadRequest(string.Join("; ", errors.Values.SelectMany(v => v)), errors);
        }

        try
        {
            var (runs, next) = await catalog.ListPageAsync(dataset, knownStatus, top ?? ApiValidation.DefaultTop, continuation, LiveStatusAsync, cancellationToken);
            return ApiResult.Ok(new RunListResponse(runs, next));
        }
        catch (FormatException ex)
        {
            return ApiProblem.BadRequest(ex.Message, ApiValidation.Errors(("continuation", ex.Message)));
        }
    }

    public async Task<ApiResult<RunStatusResponse>> CancelRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (ApiValidation.RunIdProblem(runId) is { } invalid)
        {
            return ApiProblem.BadRequest(invalid, ApiValidation.Errors(("runId", invalid)));
        }

        var claim = await catalog.FindClaimAsync(runId, cancellationToken);
        if (claim is null)
        {
            return await CancelBackfillAsync(runId, cancellationToken);
        }

        var request = claim.Request;
        if (await catalog.ReadManifestAsync(request.Dataset, runId, cancellationToken) is { } finished)
        {
            return ApiProblem.Conflict($"run '{runId}' has finished already ({finished.Status}); nothing to cancel");
        }

        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        await engineCanceller.CancelAsync(request.Dataset, runId, instance?.SerializedCustomStatus, cancellationToken);
        if (instance is not null && !IsTerminal(instance.RuntimeStatus))
        {
            await client.TerminateInstanceAsync(runId, new TerminateInstanceOptions("canceled through the API", Recursive: true), cancellationToken);
            await WaitUntilTerminalAsync(runId, cancellationToken);
        }

        // The orchestration cannot commit once it is terminated, so the cancel commits the manifest: only if the
        // run did not commit its own in the meantime.
        var manifest = new RunManifest(
            runId, request.Dataset, RunStatus.Canceled, request.RerunOf, request.Inputs, [], [], new RunTotals(0, 0, 0, 0), null, [],
            new RunTimings(claim.ClaimedAt.UtcDateTime, null, null, DateTime.UtcNow), "canceled through the API");
        if (!await committer.CommitAsync(manifest, onlyIfAbsent: true, cancellationToken))
        {
            var committed = await catalog.ReadManifestAsync(request.Dataset, runId, cancellationToken);
            return ApiProblem.Conflict($"run '{runId}' finished ({committed?.Status}) before it could be cancelled");
        }

        logger.LogInformation("Run {RunId} canceled", runId);
        return ApiResult.Ok(new RunStatusResponse(runId, request.Dataset, RunStatus.Canceled, CustomStatus<RunProgress>(instance), manifest));
    }

    /// <summary>The engine's view of a run without a manifest, or of a backfill: Pending until its orchestration runs.</summary>
    private async Task<RunStatus?> LiveStatusAsync(string runId, string kind, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken);
        return kind == RunKinds.Backfill || instance is not null ? StatusOf(instance) : RunStatus.Pending;
    }

    private async Task<ApiResult<RunStatusResponse>> CancelBackfillAsync(string id, CancellationToken cancellationToken)
    {
        var backfill = await GetBackfillAsync(id, cancellationToken);
        if (backfill is null)
        {
            return ApiProblem.NotFound($"no run '{id}'");
        }

        if (backfill.Status is not (RunStatus.Running or RunStatus.Pending))
        {
            return ApiProblem.Conflict($"backfill '{id}' has finished already ({backfill.Status}); nothing to cancel");
        }

        await client.TerminateInstanceAsync(id, new TerminateInstanceOptions("canceled through the API", Recursive: true), cancellationToken);
        await WaitUntilTerminalAsync(id, cancellationToken);
        return ApiResult.Ok(await GetBackfillAsync(id, cancellationToken) ?? backfill);
    }

    private async Task<RunStatusResponse?> GetBackfillAsync(string id, CancellationToken cancellationToken)
    {
        if (!id.StartsWith(BackfillIdPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (instance is null || instance.Name != nameof(BackfillOrchestrator))
        {
            return null;
        }

        var progress = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed && instance.SerializedOutput is not null
            ? Read<BackfillProgress>(instance.SerializedOutput)
            : CustomStatus<BackfillProgress>(instance);
        var dataset = progress?.Dataset ?? instance.ReadInputAs<BackfillState>()?.Request.Dataset ?? "";
        return new RunStatusResponse(id, dataset, StatusOf(instance), null, null, progress);
    }

    public async Task<ApiResult<DatasetStatusResponse>> GetDatasetAsync(string dataset, CancellationToken cancellationToken = default)
    {
        if (DatasetProblem(dataset) is { } problem)
        {
            return problem;
        }

        var curated = await DeltaLog.ReadSnapshotAsync(tables.Curated(dataset), cancellationToken: cancellationToken);
        var rows = curated?.ActiveFiles.Values.Sum(add => add.NumRecords ?? 0) ?? 0;

        // The refresh records the curated version it reflects in its commitInfo (curatedVersion, or Spark's userMetadata).
        var latest = (await DeltaLog.ReadHistoryAsync(tables.Aggregate(dataset), limit: 1, cancellationToken)).MaxBy(h => h.Version);
        var refresh = latest is null ? null : new DatasetRefresh(latest.Version, latest.Timestamp, AggregateTableLog.CuratedVersionOf(latest.CommitInfo));
        return ApiResult.Ok(new DatasetStatusResponse(dataset, curated?.Version, rows, curated?.ActiveFiles.Count ?? 0, refresh));
    }

    private ApiProblem? DatasetProblem(string dataset)
    {
        try
        {
            return datasets.Find(dataset) is null ? ApiProblem.NotFound($"unknown dataset '{dataset}': no definition in the datasets folder") : null;
        }
        catch (DatasetDefinitionException ex)
        {
            return ApiProblem.Conflict($"dataset '{dataset}' has an invalid definition, fix it first: {ex.Message}");
        }
    }

    private async Task<bool> ClaimExistsAsync(string runId, CancellationToken cancellationToken) =>
        await store.Blob(BlobContainers.State, StorageLayout.IntakeClaim(runId)).ExistsAsync(cancellationToken);

    /// <summary>A run is active until its manifest exists, unless its orchestration ended without one (e.g. terminated).</summary>
    private async Task<bool> IsActiveAsync(string runId, CancellationToken cancellationToken)
    {
        if (await catalog.FindManifestAsync(runId, cancellationToken) is not null)
        {
            return false;
        }

        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken);
        return instance is null || !IsTerminal(instance.RuntimeStatus);
    }

    private async Task WaitUntilTerminalAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: false, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Instance {InstanceId} did not stop within 30 s of being terminated", instanceId);
        }
    }

    private static bool IsTerminal(OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    private static RunStatus StatusOf(OrchestrationMetadata? instance) => instance?.RuntimeStatus switch
    {
        null or OrchestrationRuntimeStatus.Pending => RunStatus.Pending,
        OrchestrationRuntimeStatus.Completed => RunStatus.Succeeded,
        OrchestrationRuntimeStatus.Failed => RunStatus.Failed,
        OrchestrationRuntimeStatus.Terminated => RunStatus.Canceled,
        _ => RunStatus.Running,
    };

    private static T? CustomStatus<T>(OrchestrationMetadata? instance)
        where T : class => instance?.SerializedCustomStatus is { } json ? Read<T>(json) : null;

    /// <summary>Custom status is whatever the running code last set; another shape reads as unknown.</summary>
    private static T? Read<T>(string json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, BlobStore.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string StatusUrl(string runId) => $"/api/runs/{runId}";
}
