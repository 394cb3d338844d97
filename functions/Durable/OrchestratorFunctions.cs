using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;

namespace Tributary.Functions.Durable;

/// <summary>
/// One [Function] per core orchestrator, named after its class. The wrapper only hands the context and
/// its input to the core class; a test fails when a core orchestrator has none.
/// </summary>
public static class OrchestratorFunctions
{
    [Function(nameof(IngestOrchestrator))]
    public static Task<RunManifest> Ingest([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new IngestOrchestrator().RunAsync(context, InputOf<IngestRequest>(context));

    [Function(nameof(BackfillOrchestrator))]
    public static Task<BackfillProgress> Backfill([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BackfillOrchestrator().RunAsync(context, InputOf<BackfillState>(context));

    private static T InputOf<T>(TaskOrchestrationContext context) =>
        context.GetInput<T>() ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} ({context.Name}) has no {typeof(T).Name} input.");
}
