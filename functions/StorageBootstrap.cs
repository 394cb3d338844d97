using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions;

/// <summary>
/// Creates Tributary's containers and queues in the data account when the worker starts, as the standalone
/// host does: intake claims, curated output and the poison queue must not fail on a fresh account. Storage
/// that is not reachable yet is retried in the background; the worker keeps running either way.
/// </summary>
public sealed class StorageBootstrap(BlobStore blobs, QueueServiceClient queues, ILogger<StorageBootstrap> logger) : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not create Tributary's containers and queues; retrying in {Interval}", RetryInterval);
                await Task.Delay(RetryInterval, stoppingToken);
            }
        }
    }

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await blobs.EnsureContainersAsync(cancellationToken);
        foreach (var queue in StorageQueues.All)
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
