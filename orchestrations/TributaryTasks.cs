using Microsoft.DurableTask;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations;

/// <summary>Every orchestrator and activity of the core, for hosts to register with their worker.</summary>
public static class TributaryTasks
{
    public static readonly IReadOnlyList<Type> Orchestrators = [typeof(IngestOrchestrator), typeof(BackfillOrchestrator)];

    public static readonly IReadOnlyList<Type> Activities =
    [
        typeof(PlanRunActivity),
        typeof(ProcessPackActivity),
        typeof(ReadChunkResultsActivity),
        typeof(RefreshAggregateActivity),
        typeof(PrepareDatabricksRunActivity),
        typeof(StartDatabricksRunActivity),
        typeof(RecordEngineRunActivity),
        typeof(GetDatabricksRunActivity),
        typeof(CancelDatabricksRunActivity),
        typeof(CollectDatabricksResultActivity),
        typeof(CommitTableActivity),
        typeof(CommitAndRefreshActivity),
        typeof(CommitRunActivity),
        typeof(CommitRunAndArchiveActivity),
        typeof(FinishRunActivity),
        typeof(ArchiveInputsActivity),
        typeof(ListBackfillPageActivity),
    ];

    public static void Register(DurableTaskRegistry registry)
    {
        foreach (var orchestrator in Orchestrators)
        {
            registry.AddOrchestrator(orchestrator);
        }

        foreach (var activity in Activities)
        {
            registry.AddActivity(activity);
        }
    }
}
