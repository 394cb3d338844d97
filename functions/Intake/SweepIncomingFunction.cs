using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Intake;

namespace Tributary.Functions.Intake;

/// <summary>
/// The reconciliation sweep on a timer: Event Grid delivery is not guaranteed, so every 10 minutes the core's
/// <see cref="IncomingSweep"/> takes in blobs older than Tributary__SweepGracePeriod (default 5 minutes) that no
/// trigger claimed, and logs what it found. Timer triggers hold a lease in AzureWebJobsStorage, so one replica runs each
/// tick. At zero replicas KEDA's sweep-window cron trigger (k8s/base/worker-scaledobject.yaml) wakes one replica in the
/// first minute of every 10; the pod starts after the tick, so the sweep also runs once at host start-up (RunOnStartup:
/// a woken replica sweeps; the sweep is idempotent, so a start-up sweep beside a running one costs one listing).
/// </summary>
public sealed class SweepIncomingFunction(IServiceProvider services)
{
    /// <summary>Every 10 minutes (NCRONTAB with seconds); the KEDA sweep window opens at the same minutes.</summary>
    public const string Schedule = "0 */10 * * * *";

    [Function(FunctionNames.SweepIncoming)]
    public async Task Run([TimerTrigger(Schedule, RunOnStartup = true)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var intake = ActivatorUtilities.CreateInstance<RunIntake>(services, client);
        var sweep = ActivatorUtilities.CreateInstance<IncomingSweep>(services, intake);
        await sweep.SweepAsync(cancellationToken);
    }
}
