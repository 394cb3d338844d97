using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>Puts a copy of a whole bad file, and why, under the run's rejected folder. The original stays where it was.</summary>
public sealed class FileQuarantine(BlobStore store)
{
    public async Task<QuarantinedFile> QuarantineAsync(string runId, string dataset, BlobReference input, string reason, CancellationToken cancellationToken = default)
    {
        var target = StorageLayout.QuarantinedFile(dataset, runId, input.Name);
        try
        {
            await store.CopyAsync(input, BlobContainers.Rejected, target, cancellationToken);
            await store.UploadJsonAsync(BlobContainers.Rejected, target + ".reason.json", new { input, reason }, cancellationToken);
            return new QuarantinedFile(input, reason, $"{BlobContainers.Rejected}/{target}");
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // The version is gone (overwritten or deleted): nothing left to copy, the reason still goes in the manifest.
            return new QuarantinedFile(input, $"{reason} (the blob version is no longer available)", null);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 400)
        {
            // Storage refuses the input's own name (it cannot even be read back): the reason is kept, without a copy.
            await store.UploadJsonAsync(BlobContainers.Rejected, target + ".reason.json", new { input, reason }, cancellationToken);
            return new QuarantinedFile(input, $"{reason} (storage refuses to read the blob under this name, so no copy was kept)", null);
        }
    }
}
