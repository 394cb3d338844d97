using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's queue trigger for backfill-requests: hands each message to the core's
/// <see cref="BackfillQueueProcessor"/> and deletes it once handled. A message that keeps failing is set aside on
/// the poison queue after <see cref="MaxDequeueCount"/> attempts, with the last error as its reason.
/// </summary>
public sealed class BackfillQueueListener(QueueServiceClient queues, BackfillQueueProcessor processor, ILogger<BackfillQueueListener> logger)
    : QueueListener(queues, StorageQueues.BackfillRequests, TimeSpan.FromSeconds(1), logger)
{
    public const int MaxDequeueCount = 5;

    protected override async Task HandleAsync(QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        try
        {
            await processor.HandleAsync(body, cancellationToken);
        }
        catch (Exception ex) when (!ex.IsShutdownOf(cancellationToken))
        {
            if (message.DequeueCount < MaxDequeueCount)
            {
                logger.LogWarning(ex, "Backfill request {MessageId} failed (attempt {Attempt}); it will be retried", message.MessageId, message.DequeueCount);
                return;
            }

            await processor.PoisonAsync($"failed {message.DequeueCount} times; last error: {ex.Message}", body, cancellationToken);
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }
}
