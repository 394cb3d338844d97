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
public sealed class BatchSealQueueListener(QueueServiceClient queues, ArrivalBatcher batcher, WatcherOptions options, ILogger<BatchSealQueueListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = queues.GetQueueClient(StorageQueues.BatchSeal);
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages = [];
            try
            {
                messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(60), stoppingToken)).Value;
                foreach (var message in messages)
                {
                    await batcher.SealFromMessageAsync(message.Body.ToString(), stoppingToken);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The message becomes visible again after its visibility timeout and is handled then.
                logger.LogError(ex, "Handling {Queue} failed; retrying", StorageQueues.BatchSeal);
            }

            if (messages.Length == 0)
            {
                await Task.Delay(options.PollInterval, stoppingToken);
            }
        }
    }
}
