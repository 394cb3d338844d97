using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Intake;

/// <summary>
/// Seals batch windows at zero replicas: intake enqueues a batch-seal message per arrival, delayed by the window's
/// maxSeconds; KEDA's azure-queue trigger on batch-seal wakes the worker when it comes due, and this trigger asks the
/// core's <see cref="ArrivalBatcher"/> to seal (idempotent). The <see cref="SealBatchWindowsFunction"/> timer only
/// helps while a replica is up anyway.
/// </summary>
public sealed class BatchSealFunction(IServiceProvider services, ILogger<BatchSealFunction> logger)
{
    [Function(FunctionNames.BatchSeal)]
    public async Task Run(
        [QueueTrigger(StorageQueues.BatchSeal, Connection = AppSettings.TributaryStorage)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var intake = ActivatorUtilities.CreateInstance<RunIntake>(services, client);
        var batcher = ActivatorUtilities.CreateInstance<ArrivalBatcher>(services, intake);
        var started = await batcher.SealFromMessageAsync(message, cancellationToken);
        if (started.Count > 0)
        {
            logger.LogInformation("Sealed {Count} batch window(s) on a {Queue} message: {Runs}", started.Count, StorageQueues.BatchSeal, string.Join(", ", started));
        }
    }
}
