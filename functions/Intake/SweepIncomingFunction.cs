using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Intake;

namespace Tributary.Functions.Intake;

/// <summary>
/// The reconciliation sweep on a timer: Event Grid delivery is not guaranteed, so every 10 minutes the core's
/// <see cref="IncomingSweep"/> takes in blobs older than Tributary__SweepGracePeriod (default 5 minutes) that no
/// trigger claimed, and logs what it found. Timer triggers hold a lease in AzureWebJobsStorage, so one replica runs it;
/// KEDA does not wake the worker for it (a missed blob waits for the next replica that runs, or for the next arrival).
/// </summary>
public sealed class SweepIncomingFunction(IServiceProvider services)
{
    /// <summary>Every 10 minutes (NCRONTAB with seconds).</summary>
    public const string Schedule = "0 */10 * * * *";

    [Function(FunctionNames.SweepIncoming)]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var intake = ActivatorUtilities.CreateInstance<RunIntake>(services, client);
        var sweep = ActivatorUtilities.CreateInstance<IncomingSweep>(services, intake);
        await sweep.SweepAsync(cancellationToken);
    }
}
