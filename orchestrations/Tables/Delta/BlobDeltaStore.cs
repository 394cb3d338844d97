using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// A Delta table in a blob container under <c>tableRoot</c> (e.g. container <c>curated</c>, root <c>taxi/</c>).
/// Create-if-absent is an upload with If-None-Match: * — Blob Storage (and Azurite) refuse the second writer with
/// 409/412, which gives the atomic put-if-absent the Delta protocol needs of its storage.
/// </summary>
public sealed class BlobDeltaStore : IDeltaStore
{
    private readonly BlobContainerClient container;
    private readonly string root;

    public BlobDeltaStore(BlobContainerClient container, string tableRoot)
    {
        this.container = container;
        root = tableRoot.Length == 0 || tableRoot.EndsWith('/') ? tableRoot : tableRoot + "/";
    }

    public BlobContainerClient Container => container;

    public string TableRoot => root;

    public async Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await container.GetBlobClient(root + path).DownloadContentAsync(cancellationToken);
            return result.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default)
    {
        try
        {
            await container.GetBlobClient(root + path).UploadAsync(
                content,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default) =>
        await container.GetBlobClient(root + path).UploadAsync(content, overwrite: true, cancellationToken);

    public async IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Blob listings come in lexicographic order of the name, which is the order the interface promises.
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, root + prefix, cancellationToken))
        {
            yield return new DeltaStoreEntry(
                blob.Name[root.Length..],
                blob.Properties.ContentLength ?? 0,
                blob.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        await container.GetBlobClient(root + path).DeleteIfExistsAsync(cancellationToken: cancellationToken);
}
