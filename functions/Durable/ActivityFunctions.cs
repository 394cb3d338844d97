using Microsoft.Azure.Functions.Worker;
using Tributary.Orchestrations.Activities;
using Tributary.Orchestrations.Models;

namespace Tributary.Functions.Durable;

/// <summary>
/// One [Function] per core activity, named after its class (the name orchestrators call). Without the
/// Durable Task source generator these wrappers are how class-based activities reach the Functions host;
/// a test fails when a core activity has none.
/// </summary>
public static class ActivityFunctions
{
    [Function(nameof(PlanRunActivity))]
    public static Task<RunPlan> PlanRun([ActivityTrigger] IngestRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<PlanRunActivity, IngestRequest, RunPlan>(context, request);

    [Function(nameof(ProcessChunkActivity))]
    public static Task<ChunkResult> ProcessChunk([ActivityTrigger] ChunkSpec chunk, FunctionContext context) =>
        CoreActivity.RunAsync<ProcessChunkActivity, ChunkSpec, ChunkResult>(context, chunk);

    [Function(nameof(AggregateWithDuckDbActivity))]
    public static Task<AggregationOutcome> AggregateWithDuckDb([ActivityTrigger] AggregationRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<AggregateWithDuckDbActivity, AggregationRequest, AggregationOutcome>(context, request);

    [Function(nameof(CommitRunActivity))]
    public static Task<string> CommitRun([ActivityTrigger] RunManifest manifest, FunctionContext context) =>
        CoreActivity.RunAsync<CommitRunActivity, RunManifest, string>(context, manifest);
}
