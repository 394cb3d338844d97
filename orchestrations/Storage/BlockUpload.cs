using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Tributary.Orchestrations.Storage;

/// <summary>
/// Uploads a stream in blocks of <see cref="BlockBytes"/>, at most <see cref="BlocksInFlight"/> at once, each block
/// in a buffer from <see cref="LargeBuffers"/>: memory is bounded by those blocks whatever the size. A stream that
/// ends within the first block is one Put Blob (the service then records its Content-MD5); a longer one is staged
/// block by block and committed last with the options' headers (and the Content-MD5 of the bytes staged, which the
/// service does not compute for blocks: the archiver compares it with the source's), metadata and conditions, so a
/// failed upload leaves only uncommitted blocks (the service discards them) and a retry stages the same block ids again.
/// The SDK's own upload buffers each block in <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which kept them.
/// </summary>
public static class BlockUpload
{
    public const int BlockBytes = 4 << 20;

    public const int BlocksInFlight = 4;

    public static async Task UploadAsync(BlobClient target, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobUploadOptions();
        var blob = target.GetParentBlobContainerClient().GetBlockBlobClient(target.Name);
        byte[]? buffer = LargeBuffers.Pool.Rent(BlockBytes);
        var length = await FillAsync(content, buffer, cancellationToken);
        if (length < BlockBytes)
        {
            try
            {
                using var whole = new MemoryStream(buffer, 0, length, writable: false);
                await blob.UploadAsync(whole, options, cancellationToken);
                return;
            }
            finally
            {
                LargeBuffers.Pool.Return(buffer);
            }
        }

        var ids = new List<string>();
        var inFlight = new List<Task>();
#pragma warning disable CA5351 // Content-MD5 is the storage service's integrity field, not a security measure.
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        try
        {
            while (length > 0)
            {
                var id = BlockId(ids.Count);
                ids.Add(id);
                md5.AppendData(buffer, 0, length);
                inFlight.Add(StageAsync(blob, id, buffer, length, cancellationToken));
                buffer = null;
                if (inFlight.Count == BlocksInFlight)
                {
                    var done = await Task.WhenAny(inFlight);
                    inFlight.Remove(done);
                    await done;
                }

                buffer = LargeBuffers.Pool.Rent(BlockBytes);
                length = await FillAsync(content, buffer, cancellationToken);
            }

            await Task.WhenAll(inFlight);
        }
        catch
        {
            // No block keeps uploading after this returns: a retry stages the same ids.
            await Task.WhenAll(inFlight.Select(task => task.ContinueWith(_ => { }, TaskScheduler.Default)));
            throw;
        }
        finally
        {
            if (buffer is not null)
            {
                LargeBuffers.Pool.Return(buffer);
            }
        }

        var headers = options.HttpHeaders ?? new BlobHttpHeaders();
        headers.ContentHash ??= md5.GetHashAndReset();
        await blob.CommitBlockListAsync(ids, new CommitBlockListOptions { HttpHeaders = headers, Metadata = options.Metadata, Conditions = options.Conditions }, cancellationToken);
    }

    /// <summary>Block ids of one blob must all have the same length: the block's index, zero-padded, in base64.</summary>
    private static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task StageAsync(BlockBlobClient blob, string id, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            using var block = new MemoryStream(buffer, 0, length, writable: false);
            await blob.StageBlockAsync(id, block, cancellationToken: cancellationToken);
        }
        finally
        {
            LargeBuffers.Pool.Return(buffer);
        }
    }

    /// <summary>Reads until the buffer is full or the stream ends; the count read.</summary>
    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < BlockBytes)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, BlockBytes - filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
