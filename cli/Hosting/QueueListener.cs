using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's stand-in for a Functions queue trigger: receives a queue's messages (16 at a time, hidden
/// for a minute), hands each to <see cref="HandleAsync"/>, and polls again after <paramref name="pollInterval"/>
/// when the queue was empty. A failure leaves the message to reappear after its visibility timeout.
/// </summary>
public abstract class QueueListener(QueueServiceClient queues, string queueName, TimeSpan pollInterval, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages = [];
            try
            {
                messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(60), stoppingToken)).Value;
                foreach (var message in messages)
                {
                    await HandleAsync(queue, message, stoppingToken);
                }
            }
            catch (Exception ex) when (!ex.IsShutdownOf(stoppingToken))
            {
                logger.LogError(ex, "Handling {Queue} failed; retrying", queueName);
            }

            if (messages.Length == 0)
            {
                await Task.Delay(pollInterval, stoppingToken);
            }
        }
    }

    /// <summary>Handles one message; deleting it once handled is the handler's call.</summary>
    protected abstract Task HandleAsync(QueueClient queue, QueueMessage message, CancellationToken cancellationToken);
}
