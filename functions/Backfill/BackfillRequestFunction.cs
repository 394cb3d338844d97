using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Functions.Http;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Backfill;

/// <summary>
/// backfill-requests → the core's <see cref="BackfillQueueProcessor"/>, as in the standalone host: a valid request
/// starts a backfill; one that can never succeed (malformed, invalid, refused by the API) goes to
/// backfill-requests-poison with its reason and is not retried. A failure that may pass (storage down) throws,
/// so the runtime redelivers it; on the last attempt the reason is written to the poison queue by the core,
/// and the message completes, so every poisoned message carries its reason.
/// </summary>
public sealed class BackfillRequestFunction(IServiceProvider services, IRunsApiFactory apis)
{
    /// <summary>host.json extensions.queues.maxDequeueCount (a test keeps them equal).</summary>
    public const int MaxDequeueCount = 5;

    [Function(FunctionNames.BackfillRequest)]
    public async Task Run(
        [QueueTrigger(StorageQueues.BackfillRequests, Connection = AppSettings.TributaryStorage)] QueueMessage message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var processor = ActivatorUtilities.CreateInstance<BackfillQueueProcessor>(services, apis.Create(client));
        var body = message.Body?.ToString() ?? "";
        try
        {
            await processor.HandleAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= MaxDequeueCount)
        {
            await processor.PoisonAsync($"failed {message.DequeueCount} times; last error: {ex.Message}", body, cancellationToken);
        }
    }
}
