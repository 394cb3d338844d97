using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// Decides the chunks of a run and quarantines whole files that cannot be processed. A run that is one small pack is
/// processed here too (<see cref="RunShapeOptions.ProcessWithPlan"/>): the same pack activity, without its round trip.
/// </summary>
public sealed class PlanRunActivity(
    FrozenDefinitions definitions,
    ChunkPlanner planner,
    FileQuarantine quarantine,
    BlobStore store,
    ProcessPackActivity processing,
    PipelineOptions options,
    ILogger<PlanRunActivity> logger)
    : TaskActivity<IngestRequest, RunPlan>
{
    public override Task<RunPlan> RunAsync(TaskActivityContext context, IngestRequest request) =>
        TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.Plan, request.RunId, request.Dataset, async span =>
        {
            var plan = await PlanAsync(request);
            span?.SetTag(TributaryTelemetry.Attributes.Chunks, plan.Chunks.Count);
            RecordDropToStart(request, plan);
            if (ProcessesItself(plan))
            {
                // The chunks' spans nest under this one; the plan carries where their results are kept.
                plan = plan with { Processed = await processing.RunAsync(context, plan.Chunks) };
            }

            span?.SetTag(TributaryTelemetry.Attributes.Quarantined, plan.QuarantinedFiles.Count);
            if (plan.Problem is not null)
            {
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, plan.Problem);
            }

            return plan;
        });

    /// <summary>One pack of chunks, all small: processing it here costs what its own activity would, less the round trip.</summary>
    private bool ProcessesItself(RunPlan plan) =>
        options.RunShape.ProcessWithPlan
        && plan.Chunks.Count > 0
        && plan.ActivityPacks.Count == 1
        && plan.Chunks.Sum(ChunkPacker.BytesOf) < options.PackChunksBelowBytes;

    /// <summary>
    /// Drop-to-start latency, one value per new input: from its Last-Modified (when it landed) to now, when its run is
    /// planned. Reruns and archived inputs landed long ago and would only skew it.
    /// </summary>
    private static void RecordDropToStart(IngestRequest request, RunPlan plan)
    {
        if (request.RerunOf is not null)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        foreach (var input in plan.Inputs ?? [])
        {
            if (input.Archived is null && input.LastModified is { } landed)
            {
                TributaryTelemetry.DropToStart.Record(Math.Max(0, (now - landed).TotalSeconds), TributaryTelemetry.DatasetTag(request.Dataset));
            }
        }
    }

    private async Task<RunPlan> PlanAsync(IngestRequest request)
    {
        DatasetDefinition? dataset;
        string? hash = null;
        string? problem = null;
        try
        {
            // The definition is frozen here, once per run: every later activity reads this copy.
            var frozen = await definitions.FreezeAsync(request.Dataset);
            (dataset, hash) = frozen is { } f ? (f.Definition, f.Hash) : (null, null);
            problem = dataset is null ? $"unknown dataset '{request.Dataset}': no definition in {definitions.Folder}" : null;
        }
        catch (DatasetDefinitionException ex)
        {
            dataset = null;
            problem = $"dataset definition is invalid: {ex.Message}";
        }

        if (dataset is null)
        {
            logger.LogWarning("Run {RunId}: {Problem}; quarantining {Count} input(s)", request.RunId, problem, request.Inputs.Count);
            var all = new List<QuarantinedFile>();
            foreach (var input in request.Inputs)
            {
                all.Add(await quarantine.QuarantineAsync(request.RunId, request.Dataset, input, problem!));
            }

            return new RunPlan([], all, "none", 0, problem);
        }

        // Each input's Last-Modified, read once here: the table commit orders versions of one input name by it.
        var inputs = new List<BlobReference>(request.Inputs.Count);
        foreach (var input in request.Inputs)
        {
            // A name storage refuses is not asked about (a raw 400 InvalidResourceName); the planner quarantines it with the reason.
            inputs.Add(BlobNames.ProblemOf(input.Name) is not null ? input : input with { LastModified = input.LastModified ?? await store.LastModifiedAsync(input) });
        }

        var chunks = new List<ChunkSpec>();
        var quarantined = new List<QuarantinedFile>();
        foreach (var input in inputs)
        {
            var fileProblem = planner.ProblemOf(input, dataset);
            if (fileProblem is not null)
            {
                quarantined.Add(await quarantine.QuarantineAsync(request.RunId, request.Dataset, input, fileProblem));
                continue;
            }

            var plan = await planner.PlanAsync(request.RunId, dataset, input, firstIndex: chunks.Count);
            if (plan.Problem is not null)
            {
                quarantined.Add(await quarantine.QuarantineAsync(request.RunId, request.Dataset, input, plan.Problem));
                continue;
            }

            chunks.AddRange(plan.Chunks.Select(c => c with { DefinitionHash = hash }));
        }

        // The deployment-wide override wins; it is read here, in an activity, so a replay sees the engine chosen at planning.
        var engine = options.AggregationEngineFor(dataset);
        var packs = ChunkPacker.Pack(chunks, options.PackChunksBelowBytes, options.MaxChunksPerPack);
        return new RunPlan(chunks, quarantined, engine, dataset.FailureTolerance, Packs: packs, DefinitionHash: hash, Inputs: inputs, AfterCommit: dataset.Input.AfterCommit, CommitWithRefresh: options.RunShape.CommitWithRefresh, ArchiveWithManifest: options.RunShape.ArchiveWithManifest,
            FinishInOneActivity: options.RunShape.FinishInOneActivity);
    }
}
