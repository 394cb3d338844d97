using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The one place a run's manifest is committed: written last, then announced on the run-completions queue
/// (at-least-once). Used by <see cref="CommitRunActivity"/> and by cancel.
/// </summary>
public sealed class RunCommitter(BlobStore store, QueueServiceClient queues)
{
    /// <summary>
    /// Writes the manifest. With <paramref name="onlyIfAbsent"/> (cancel) it never replaces a manifest the run
    /// committed itself and returns false instead; without it (the orchestration's own commit) a retry rewrites
    /// the same manifest.
    /// </summary>
    public async Task<bool> CommitAsync(RunManifest manifest, bool onlyIfAbsent, CancellationToken cancellationToken = default)
    {
        var name = StorageLayout.Manifest(manifest.Dataset, manifest.RunId);
        try
        {
            await store.Blob(BlobContainers.Results, name).UploadAsync(
                BinaryData.FromObjectAsJson(manifest, BlobStore.Json),
                new BlobUploadOptions { Conditions = onlyIfAbsent ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (onlyIfAbsent && ex.Status is 409 or 412)
        {
            return false;
        }

        var queue = queues.GetQueueClient(StorageQueues.RunCompletions);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var message = System.Text.Json.JsonSerializer.Serialize(new RunCompletion(manifest.RunId, manifest.Dataset, manifest.Status, PathOf(manifest)), BlobStore.Json);
        await queue.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(message)), cancellationToken);
        // Counted here, the one place a run gets its final status (the orchestration's commit and cancel's).
        Telemetry.TributaryTelemetry.Runs.Add(1, new System.Diagnostics.TagList
        {
            { Telemetry.TributaryTelemetry.Attributes.Dataset, manifest.Dataset },
            { Telemetry.TributaryTelemetry.Attributes.Status, manifest.Status.ToString() },
        });
        return true;
    }

    public static string PathOf(RunManifest manifest) => $"{BlobContainers.Results}/{StorageLayout.Manifest(manifest.Dataset, manifest.RunId)}";
}
