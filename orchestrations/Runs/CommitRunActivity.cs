using Azure.Storage.Queues;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// Commits a run: writes its manifest (the commit point, always last) and then announces it on the
/// run-completions queue. A retry rewrites the same manifest; the message is at-least-once.
/// </summary>
public sealed class CommitRunActivity(BlobStore store, QueueServiceClient queues) : TaskActivity<RunManifest, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, RunManifest manifest)
    {
        var name = StorageLayout.Manifest(manifest.Dataset, manifest.RunId);
        await store.UploadJsonAsync(BlobContainers.Results, name, manifest);

        var path = $"{BlobContainers.Results}/{name}";
        var queue = queues.GetQueueClient(StorageQueues.RunCompletions);
        await queue.CreateIfNotExistsAsync();
        var message = System.Text.Json.JsonSerializer.Serialize(new RunCompletion(manifest.RunId, manifest.Dataset, manifest.Status, path), BlobStore.Json);
        await queue.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(message)));
        return path;
    }
}
