using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Intake;

namespace Tributary.Functions.Intake;

/// <summary>
/// The Functions app's counterpart of the standalone host's batch sealer: for datasets with a batch window, the
/// blob triggers only record arrivals, and this timer asks the core's <see cref="ArrivalBatcher"/> to start a
/// run for every window that is due. Timer triggers hold a lease in AzureWebJobsStorage, so one replica runs it.
/// </summary>
public sealed class SealBatchWindowsFunction(IServiceProvider services, ILogger<SealBatchWindowsFunction> logger)
{
    /// <summary>Every 10 seconds (NCRONTAB with seconds): a window is sealed at most this late.</summary>
    public const string Schedule = "*/10 * * * * *";

    [Function(FunctionNames.SealBatchWindows)]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var intake = ActivatorUtilities.CreateInstance<RunIntake>(services, client);
        var batcher = ActivatorUtilities.CreateInstance<ArrivalBatcher>(services, intake);
        var started = await batcher.SealDueWindowsAsync(cancellationToken);
        if (started.Count > 0)
        {
            logger.LogInformation("Sealed {Count} batch window(s): {Runs}", started.Count, string.Join(", ", started));
        }
    }
}
