using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Tributary.Orchestrations.Storage;

/// <summary>
/// The client options every host builds its blob and queue clients with: one place for settings that apply to every
/// request the core makes (the durable engine builds its own clients).
/// </summary>
public static class StorageClientOptions
{
    public static BlobClientOptions Blobs(PipelineOptions options)
    {
        var blobs = new BlobClientOptions();
        blobs.Retry.NetworkTimeout = options.StorageNetworkTimeout;
        return blobs;
    }

    public static QueueClientOptions Queues(PipelineOptions options)
    {
        var queues = new QueueClientOptions();
        queues.Retry.NetworkTimeout = options.StorageNetworkTimeout;
        return queues;
    }
}
