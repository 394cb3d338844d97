using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// One run: plan the chunks, fan out processing (bounded; a run of one small pack comes back processed from planning), fan in the tallies, commit a succeeded run to the dataset's
/// curated table (one Delta commit), aggregate, then commit the manifest last. The chunks' results stay where processing
/// kept them (<see cref="ChunkResultFiles"/>): the run passes their paths, and the steps that need them read them there. Failed and canceled runs commit nothing to the table.
/// After the manifest, the inputs leave incoming as the dataset's <c>input.afterCommit</c> says (all inputs of a
/// succeeded run, the quarantined ones of a failed run); their archive names are decided before and recorded in the manifest.
/// Deterministic: time comes from the context, all I/O from activities.
/// </summary>
public sealed class IngestOrchestrator : TaskOrchestrator<IngestRequest, RunManifest>
{
    /// <summary>Transient storage faults are retried; the engine retries quickly whatever interval is asked for.</summary>
    public static readonly TaskOptions ActivityRetry =
        TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<RunManifest> RunAsync(TaskOrchestrationContext context, IngestRequest request)
    {
        var startedAt = context.CurrentUtcDateTime;
        string? definitionHash = null;
        DateTime? processedAt = null;
        DateTime? aggregatedAt = null;
        var stored = new List<StoredChunkResults>();
        CommitAndRefreshRequest? work = null;
        var quarantined = new List<QuarantinedFile>();
        AggregationOutcome? aggregation = null;
        TableCommit? table = null;
        RunPlan? plan = null;
        RunStatus status;
        string? error = null;

        try
        {
            context.SetCustomStatus(new RunProgress("planning", 0, 0));
            plan = await context.CallActivityAsync<RunPlan>(nameof(PlanRunActivity), request, ActivityRetry);
            quarantined.AddRange(plan.QuarantinedFiles);
            definitionHash = plan.DefinitionHash;

            if (plan.Processed is { } processed)
            {
                // A run of one small pack was processed by its planning activity.
                stored.Add(processed);
            }
            else
            {
                // Said before the first chunk comes back, so that a look at the run tells planning from processing.
                context.SetCustomStatus(new RunProgress("processing", 0, plan.Chunks.Count));
                await ProcessChunksAsync(context, plan, Math.Max(1, request.MaxChunksInFlight), stored);
            }

            processedAt = context.CurrentUtcDateTime;
            quarantined.AddRange(stored.SelectMany(s => s.Quarantined));

            var totals = RunTotals.Of(stored, quarantined.Count);
            (status, error) = Verdict(plan, stored, totals);
            if (status == RunStatus.Succeeded && plan.CommitWithRefresh && plan.AggregationEngine == AggregationEngines.DuckDb)
            {
                if (plan.FinishInOneActivity && plan.ArchiveWithManifest)
                {
                    // One activity to the end: table commit, local refresh, then the manifest below as it will read. A
                    // refresh that did not succeed comes back without a manifest; a failure takes the separate steps below.
                    var finished = await FinishAsync(context, ChunksDone(), Manifest(context.CurrentUtcDateTime));
                    if (finished?.Committed is { } committed)
                    {
                        context.SetCustomStatus(new RunProgress("done", ChunksDone(), ChunksDone()));
                        return committed;
                    }

                    (table, aggregation) = (finished?.Done.Table, finished?.Done.Aggregation);
                }
                else
                {
                    // One activity: table commit, then the local refresh. If it fails, the separate steps below say which part did.
                    work = await WorkAsync(context, request, plan, stored);
                    (table, aggregation) = await CommitAndRefreshAsync(context, work, ChunksDone());
                }
            }

            if (status == RunStatus.Succeeded && table is null)
            {
                // The run's one commit to the dataset table comes first: the aggregate refreshes to the version it made.
                work ??= await WorkAsync(context, request, plan, stored);
                (table, error) = await CommitTableAsync(context, work.Table, ChunksDone());
                status = table is null ? RunStatus.Failed : status;
            }

            if (status == RunStatus.Succeeded)
            {
                var aggregating = new RunProgress("aggregating", ChunksDone(), ChunksDone());
                context.SetCustomStatus(aggregating);
                if (aggregation is null)
                {
                    work ??= await WorkAsync(context, request, plan, stored);
                    aggregation = await AggregateAsync(context, plan.AggregationEngine, new AggregationRequest(request.RunId, request.Dataset, work.CuratedParts, plan.DefinitionHash, table!.Version), aggregating);
                }

                aggregatedAt = context.CurrentUtcDateTime;
                if (aggregation.State != AggregationState.Succeeded)
                {
                    var runPage = aggregation.EngineRunUrl is null ? "" : $" (run page {aggregation.EngineRunUrl})";
                    (status, error) = (RunStatus.Failed, $"aggregation on {aggregation.Engine} ended {aggregation.EngineState ?? aggregation.State.ToString()}: {aggregation.Message}{runPage}");
                }
            }
        }
        catch (TaskFailedException ex)
        {
            status = RunStatus.Failed;
            error = $"{ex.TaskName} failed: {ex.FailureDetails.ErrorMessage}";
        }

        context.SetCustomStatus(new RunProgress("committing", ChunksDone(), ChunksDone()));
        var draft = Manifest(context.CurrentUtcDateTime);
        var afterCommit = draft.InputsAfterCommit!;
        RunManifest manifest;
        if (plan is { ArchiveWithManifest: true } && afterCommit.Any(a => a.Action != InputLifecycle.Keep))
        {
            // One activity: the manifest, then the inputs leave incoming (a failure to move them is logged there).
            context.SetCustomStatus(new RunProgress("archiving inputs", ChunksDone(), ChunksDone()));
            manifest = await context.CallActivityAsync<RunManifest>(nameof(CommitRunAndArchiveActivity), draft, ActivityRetry);
        }
        else
        {
            manifest = await context.CallActivityAsync<RunManifest>(nameof(CommitRunActivity), draft, ActivityRetry);
            await MoveInputsAsync(context, request, afterCommit, ChunksDone());
        }

        context.SetCustomStatus(new RunProgress("done", ChunksDone(), ChunksDone()));
        return manifest;

        int ChunksDone() => stored.Sum(s => s.Chunks);

        // The manifest of the run as it stands: the one place it is put together. Its chunks are read back where it is
        // committed (ChunkResults), with their outputs ahead of the aggregation's.
        RunManifest Manifest(DateTime completedAt) => new(
            request.RunId,
            request.Dataset,
            status,
            request.RerunOf,
            RunInputs(request, plan),
            [],
            quarantined,
            RunTotals.Of(stored, quarantined.Count),
            aggregation,
            aggregation?.Outputs ?? [],
            new RunTimings(startedAt, processedAt, aggregatedAt, completedAt),
            error,
            definitionHash,
            table?.Summary,
            AfterCommit(request, plan, status, quarantined),
            stored.Select(s => s.Path).ToList());
    }

    /// <summary>
    /// The run's inputs as the planner read them (with Last-Modified), else as requested: the one list the table commit,
    /// the manifest (from which the finish activity derives its commit) and the inputs' moves all use.
    /// </summary>
    private static IReadOnlyList<Storage.BlobReference> RunInputs(IngestRequest request, RunPlan? plan) => plan?.Inputs ?? request.Inputs;

    /// <summary>
    /// The inputs that leave incoming after the manifest, and where to: every input of a succeeded run, the quarantined
    /// inputs of any run (a copy is in rejected). Pure, so the archive names are in the manifest before anything moves.
    /// Inputs already read from the archive (a rerun) stay where they are; a run that could not be planned moves nothing.
    /// </summary>
    public static IReadOnlyList<InputAfterCommit> AfterCommit(IngestRequest request, RunPlan? plan, RunStatus status, IReadOnlyList<QuarantinedFile> quarantined)
    {
        if (plan is null)
        {
            return [];
        }

        var leaving = status == RunStatus.Succeeded ? RunInputs(request, plan) : quarantined.Select(q => q.Input).ToList();
        // Only arrivals leave: an input read from another container (a test's, an operator's) is not moved.
        return leaving
            .Where(input => input.Archived is null && input.Container == Storage.BlobContainers.Incoming)
            .DistinctBy(input => (input.Container, input.Name, input.ETag))
            .Select(input => new InputAfterCommit(
                input,
                plan.AfterCommit,
                plan.AfterCommit == InputLifecycle.Archive ? $"{Storage.BlobContainers.Archive}/{Storage.StorageLayout.ArchivedInput(input.Name, input.ETag)}" : null))
            .ToList();
    }

    /// <summary>
    /// Carries out the manifest's afterCommit. A failure here does not change the committed run: the inputs stay in
    /// incoming (already claimed, so nothing re-ingests them) and the failure is logged.
    /// </summary>
    private static async Task MoveInputsAsync(TaskOrchestrationContext context, IngestRequest request, IReadOnlyList<InputAfterCommit> afterCommit, int chunkCount)
    {
        if (afterCommit.All(a => a.Action == InputLifecycle.Keep))
        {
            return;
        }

        context.SetCustomStatus(new RunProgress("archiving inputs", chunkCount, chunkCount));
        try
        {
            await context.CallActivityAsync<IReadOnlyList<InputMove>>(
                nameof(ArchiveInputsActivity), new ArchiveInputsRequest(request.RunId, request.Dataset, afterCommit), ActivityRetry);
        }
        catch (TaskFailedException ex)
        {
            context.CreateReplaySafeLogger<IngestOrchestrator>().LogWarning(
                "Run {RunId}: its inputs could not leave incoming ({Error}); they stay there, claimed", request.RunId, ex.FailureDetails.ErrorMessage);
        }
    }

    /// <summary>
    /// Keeps at most <paramref name="maxInFlight"/> processing activities running (a pack of small chunks is one
    /// activity); progress, in chunks, goes to the custom status.
    /// </summary>
    private static async Task ProcessChunksAsync(TaskOrchestrationContext context, RunPlan plan, int maxInFlight, List<StoredChunkResults> results)
    {
        var byIndex = plan.Chunks.ToDictionary(c => c.Index);
        var packs = plan.ActivityPacks;
        var inFlight = new List<Task<StoredChunkResults>>();
        var next = 0;
        while (next < packs.Count || inFlight.Count > 0)
        {
            while (next < packs.Count && inFlight.Count < maxInFlight)
            {
                var pack = packs[next++].Select(i => byIndex[i]).ToList();
                inFlight.Add(context.CallActivityAsync<StoredChunkResults>(nameof(ProcessPackActivity), pack, ActivityRetry));
            }

            var done = await Task.WhenAny(inFlight);
            inFlight.Remove(done);
            results.Add(await done);
            context.SetCustomStatus(new RunProgress("processing", results.Sum(r => r.Chunks), plan.Chunks.Count));
        }
    }

    /// <summary>
    /// The run's commit and refresh by value, its chunk results read back by an activity: only for the separate steps
    /// (levers off, a finish that failed, an external engine); the one-activity finish reads them itself.
    /// </summary>
    private static async Task<CommitAndRefreshRequest> WorkAsync(TaskOrchestrationContext context, IngestRequest request, RunPlan plan, List<StoredChunkResults> stored)
    {
        var chunks = await context.CallActivityAsync<IReadOnlyList<ChunkResult>>(nameof(ReadChunkResultsActivity), stored.Select(s => s.Path).ToList(), ActivityRetry);
        return CommitAndRefreshRequest.Of(request.RunId, request.Dataset, plan.DefinitionHash, RunInputs(request, plan), chunks);
    }

    /// <summary>Commits the run's parts with rows to the curated table; a failed commit fails the run with its reason.</summary>
    private static async Task<(TableCommit? Commit, string? Error)> CommitTableAsync(TaskOrchestrationContext context, CommitTableRequest table, int chunkCount)
    {
        context.SetCustomStatus(new RunProgress("committing table", chunkCount, chunkCount));
        try
        {
            return (await context.CallActivityAsync<TableCommit>(nameof(CommitTableActivity), table, ActivityRetry), null);
        }
        catch (TaskFailedException ex)
        {
            return (null, $"committing the run to the curated table of '{table.Dataset}' failed: {ex.FailureDetails.ErrorMessage}");
        }
    }

    /// <summary>
    /// The table commit and local refresh as one activity; (null, null) when it failed, so the run takes the separate
    /// steps (the commit finds its txn if it was made) and reports which of them failed.
    /// </summary>
    private static async Task<(TableCommit? Table, AggregationOutcome? Aggregation)> CommitAndRefreshAsync(TaskOrchestrationContext context, CommitAndRefreshRequest work, int chunkCount)
    {
        context.SetCustomStatus(new RunProgress("committing table", chunkCount, chunkCount));
        try
        {
            var done = await context.CallActivityAsync<CommittedAndRefreshed>(nameof(CommitAndRefreshActivity), work, ActivityRetry);
            return (done.Table, done.Aggregation);
        }
        catch (TaskFailedException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// Table commit, local refresh, manifest and input moves as one activity (<see cref="FinishRunActivity"/>), which
    /// derives the commit from the drafted manifest's chunks; null when it failed, so the run takes the separate steps
    /// (each finds what the failed attempt already did).
    /// </summary>
    private static async Task<FinishedRun?> FinishAsync(TaskOrchestrationContext context, int chunkCount, RunManifest draft)
    {
        context.SetCustomStatus(new RunProgress("committing table", chunkCount, chunkCount));
        try
        {
            return await context.CallActivityAsync<FinishedRun>(nameof(FinishRunActivity), new FinishRunRequest(draft), ActivityRetry);
        }
        catch (TaskFailedException)
        {
            return null;
        }
    }

    private static async Task<AggregationOutcome> AggregateAsync(TaskOrchestrationContext context, string engine, AggregationRequest request, RunProgress progress)
    {
        return engine switch
        {
            AggregationEngines.DuckDb => await context.CallActivityAsync<AggregationOutcome>(nameof(RefreshAggregateActivity), request, ActivityRetry),
            AggregationEngines.Databricks => await DatabricksAggregation.RunAsync(context, request, progress),
            _ => new AggregationOutcome(engine, null, null, 0, [], AggregationState.Unavailable, $"unknown aggregation engine '{engine}': expected duckdb or databricks"),
        };
    }

    private static (RunStatus Status, string? Error) Verdict(RunPlan plan, List<StoredChunkResults> stored, RunTotals totals)
    {
        if (plan.Problem is not null)
        {
            return (RunStatus.Failed, plan.Problem);
        }

        if (stored.Sum(s => s.Chunks) == stored.Sum(s => s.Quarantined.Count))
        {
            return (RunStatus.Failed, "no input could be processed; see quarantinedFiles");
        }

        return totals.RejectedShare > plan.FailureTolerance
            ? (RunStatus.Failed, $"{totals.RowsRejected} of {totals.RowsRead} rows rejected ({totals.RejectedShare:P1}), above the dataset's tolerance of {plan.FailureTolerance:P1}")
            : (RunStatus.Succeeded, null);
    }
}
