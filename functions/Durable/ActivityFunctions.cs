using Microsoft.Azure.Functions.Worker;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Tables;

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

    [Function(nameof(ProcessPackActivity))]
    public static Task<StoredChunkResults> ProcessPack([ActivityTrigger] IReadOnlyList<ChunkSpec> pack, FunctionContext context) =>
        CoreActivity.RunAsync<ProcessPackActivity, IReadOnlyList<ChunkSpec>, StoredChunkResults>(context, pack);

    [Function(nameof(ReadChunkResultsActivity))]
    public static Task<IReadOnlyList<ChunkResult>> ReadChunkResults([ActivityTrigger] IReadOnlyList<string> paths, FunctionContext context) =>
        CoreActivity.RunAsync<ReadChunkResultsActivity, IReadOnlyList<string>, IReadOnlyList<ChunkResult>>(context, paths);

    [Function(nameof(RefreshAggregateActivity))]
    public static Task<AggregationOutcome> RefreshAggregate([ActivityTrigger] AggregationRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<RefreshAggregateActivity, AggregationRequest, AggregationOutcome>(context, request);

    [Function(nameof(PrepareDatabricksRunActivity))]
    public static Task<DatabricksAggregationPlan> PrepareDatabricksRun([ActivityTrigger] AggregationRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<PrepareDatabricksRunActivity, AggregationRequest, DatabricksAggregationPlan>(context, request);

    [Function(nameof(StartDatabricksRunActivity))]
    public static Task<StartDatabricksRunOutput> StartDatabricksRun([ActivityTrigger] StartDatabricksRunInput input, FunctionContext context) =>
        CoreActivity.RunAsync<StartDatabricksRunActivity, StartDatabricksRunInput, StartDatabricksRunOutput>(context, input);

    [Function(nameof(RecordEngineRunActivity))]
    public static Task<string> RecordEngineRun([ActivityTrigger] EngineRunRecord record, FunctionContext context) =>
        CoreActivity.RunAsync<RecordEngineRunActivity, EngineRunRecord, string>(context, record);

    [Function(nameof(GetDatabricksRunActivity))]
    public static Task<DatabricksRunOutcome> GetDatabricksRun([ActivityTrigger] DatabricksRunRef run, FunctionContext context) =>
        CoreActivity.RunAsync<GetDatabricksRunActivity, DatabricksRunRef, DatabricksRunOutcome>(context, run);

    [Function(nameof(CancelDatabricksRunActivity))]
    public static Task<bool> CancelDatabricksRun([ActivityTrigger] DatabricksRunRef run, FunctionContext context) =>
        CoreActivity.RunAsync<CancelDatabricksRunActivity, DatabricksRunRef, bool>(context, run);

    [Function(nameof(CollectDatabricksResultActivity))]
    public static Task<AggregationOutcome> CollectDatabricksResult([ActivityTrigger] CollectDatabricksResultInput input, FunctionContext context) =>
        CoreActivity.RunAsync<CollectDatabricksResultActivity, CollectDatabricksResultInput, AggregationOutcome>(context, input);

    [Function(nameof(CommitTableActivity))]
    public static Task<TableCommit> CommitTable([ActivityTrigger] CommitTableRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<CommitTableActivity, CommitTableRequest, TableCommit>(context, request);

    [Function(nameof(CommitAndRefreshActivity))]
    public static Task<CommittedAndRefreshed> CommitAndRefresh([ActivityTrigger] CommitAndRefreshRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<CommitAndRefreshActivity, CommitAndRefreshRequest, CommittedAndRefreshed>(context, request);

    [Function(nameof(CommitRunAndArchiveActivity))]
    public static Task<RunManifest> CommitRunAndArchive([ActivityTrigger] RunManifest manifest, FunctionContext context) =>
        CoreActivity.RunAsync<CommitRunAndArchiveActivity, RunManifest, RunManifest>(context, manifest);

    [Function(nameof(FinishRunActivity))]
    public static Task<FinishedRun> FinishRun([ActivityTrigger] FinishRunRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<FinishRunActivity, FinishRunRequest, FinishedRun>(context, request);

    [Function(nameof(ListBackfillPageActivity))]
    public static Task<BackfillPage> ListBackfillPage([ActivityTrigger] BackfillPageRequest page, FunctionContext context) =>
        CoreActivity.RunAsync<ListBackfillPageActivity, BackfillPageRequest, BackfillPage>(context, page);

    [Function(nameof(CommitRunActivity))]
    public static Task<RunManifest> CommitRun([ActivityTrigger] RunManifest manifest, FunctionContext context) =>
        CoreActivity.RunAsync<CommitRunActivity, RunManifest, RunManifest>(context, manifest);

    [Function(nameof(ArchiveInputsActivity))]
    public static Task<IReadOnlyList<InputMove>> ArchiveInputs([ActivityTrigger] ArchiveInputsRequest request, FunctionContext context) =>
        CoreActivity.RunAsync<ArchiveInputsActivity, ArchiveInputsRequest, IReadOnlyList<InputMove>>(context, request);
}
