using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Intake;

/// <summary>
/// Production intake: Event Grid BlobCreated events for incoming arrive on the blob-created queue (subscription in
/// k8s/eventgrid/), KEDA scales the worker on that queue, and this trigger hands each event to the core's
/// <see cref="BlobCreatedEvents"/> (no blob read; idempotent on blob + ETag). Invalid events go to blob-created-poison
/// with their reason; a failed intake is retried by the queue and, after maxDequeueCount, poisoned by the runtime.
/// The blob triggers (polling and the Event Grid webhook) are optional alternatives.
/// </summary>
public sealed class BlobCreatedFunction(IServiceProvider services, BlobCreatedEvents events)
{
    [Function(FunctionNames.BlobCreated)]
    public async Task Run(
        [QueueTrigger(StorageQueues.BlobCreated, Connection = AppSettings.TributaryStorage)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var intake = ActivatorUtilities.CreateInstance<RunIntake>(services, client);
        await events.HandleAsync(message, intake, cancellationToken);
    }
}
