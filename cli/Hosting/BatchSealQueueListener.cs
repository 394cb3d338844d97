using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's queue trigger for batch-seal: each message, once its delay has passed, asks the core's
/// <see cref="ArrivalBatcher"/> to seal the dataset's due windows (the same call the Functions queue trigger makes).
/// The timer <see cref="BatchSealer"/> still runs here too; sealing is idempotent, so the two never conflict.
/// </summary>
public sealed class BatchSealQueueListener(QueueServiceClient queues, ArrivalBatcher batcher, WatcherOptions options, ILogger<BatchSealQueueListener> logger)
    : QueueListener(queues, StorageQueues.BatchSeal, options.PollInterval, logger)
{
    protected override async Task HandleAsync(QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        await batcher.SealFromMessageAsync(message.Body.ToString(), cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }
}
