using Azure;
using Azure.Storage.Blobs.Models;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing.Compression;

/// <summary>
/// The decompressed copies a run's planning staged for its gzip inputs. Only that run's chunks read them, so they go
/// once its manifest is written: they would otherwise keep the decompressed size of every gzip input ever dropped.
/// </summary>
public static class StagedCopies
{
    /// <summary>Deletes the run's staged copies; idempotent (a retried commit finds nothing left). Returns how many went.</summary>
    public static async Task<int> DeleteAsync(BlobStore store, string dataset, string runId, CancellationToken cancellationToken = default)
    {
        var container = store.Container(BlobContainers.State);
        var deleted = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.StagedRunPrefix(dataset, runId), cancellationToken))
        {
            try
            {
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Gone already (a concurrent retry).
            }
        }

        return deleted;
    }
}
