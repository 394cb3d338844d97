using System.IO.Compression;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Tributary.Orchestrations.Storage;

/// <summary>The blob operations activities need, all streaming: nothing is held whole in memory.</summary>
public sealed class BlobStore(BlobServiceClient service)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public BlobServiceClient Service { get; } = service;

    public BlobClient Blob(string container, string name) => Service.GetBlobContainerClient(container).GetBlobClient(name);

    public BlobContainerClient Container(string container) => Service.GetBlobContainerClient(container);

    /// <summary>The blob at a "container/name/with/slashes" path, the form manifests and results record.</summary>
    public BlobClient BlobAt(string path)
    {
        var slash = path.IndexOf('/');
        return Blob(path[..slash], path[(slash + 1)..]);
    }

    public async Task EnsureContainersAsync(CancellationToken cancellationToken = default)
    {
        foreach (var container in BlobContainers.All)
        {
            await Service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Streams one version of a blob (optionally a byte range) to a local file, through <paramref name="copy"/> when given
    /// (e.g. verified gzip decompression). Fails with 412 when the blob has been overwritten since <paramref name="input"/> was taken.
    /// </summary>
    public async Task DownloadToFileAsync(BlobReference input, string path, Func<Stream, Stream, CancellationToken, Task>? copy = null, HttpRange range = default, CancellationToken cancellationToken = default)
    {
        var (blob, conditions) = Source(input);
        var options = new BlobDownloadOptions { Range = range, Conditions = conditions };
        var response = await blob.DownloadStreamingAsync(options, cancellationToken);
        await using var content = response.Value.Content;
        await using var file = File.Create(path);
        if (copy is not null)
        {
            await copy(content, file, cancellationToken);
        }
        else
        {
            await content.CopyToAsync(file, cancellationToken);
        }
    }

    /// <summary>
    /// Last-Modified of exactly this blob version; null when it was overwritten or deleted since (the newer version
    /// has its own run, and this one cannot be read anyway).
    /// </summary>
    public async Task<DateTimeOffset?> LastModifiedAsync(BlobReference input, CancellationToken cancellationToken = default)
    {
        try
        {
            var (blob, conditions) = Source(input);
            var properties = await blob.GetPropertiesAsync(conditions, cancellationToken);
            return properties.Value.LastModified;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>A read-only stream over one blob version that fetches it range by range (<paramref name="bufferSize"/> bytes per request).</summary>
    public async Task<Stream> OpenReadAsync(BlobReference input, int bufferSize = 4 << 20, CancellationToken cancellationToken = default)
    {
        var (blob, conditions) = Source(input);
        var options = new BlobOpenReadOptions(allowModifications: false) { BufferSize = bufferSize, Conditions = conditions };
        return await blob.OpenReadAsync(options, cancellationToken);
    }

    /// <summary>Writes the bytes [offset, offset + length) of one blob version at the same position of a local file.</summary>
    public async Task DownloadRangeIntoAsync(BlobReference input, long offset, long length, FileStream target, CancellationToken cancellationToken = default)
    {
        var (blob, conditions) = Source(input);
        var options = new BlobDownloadOptions { Range = new HttpRange(offset, length), Conditions = conditions };
        var response = await blob.DownloadStreamingAsync(options, cancellationToken);
        await using var content = response.Value.Content;
        target.Position = offset;
        await content.CopyToAsync(target, cancellationToken);
    }

    /// <summary>Uploads a local file in bounded blocks (see <see cref="Bounded"/>).</summary>
    public async Task UploadFileAsync(string container, string name, string path, CancellationToken cancellationToken = default)
    {
        await Blob(container, name).UploadAsync(path, Bounded(), cancellationToken);
    }

    /// <summary>
    /// Upload options that send 4 MiB blocks, four at a time: every upload of a file or a stream goes through them. The
    /// SDK's defaults send up to 256 MiB in one request and run 8 block uploads at once, each with its own buffer; a
    /// stream (a copy) is buffered up to that size before the first byte leaves. serve peaked at 468 MB on a 512 MB gzip
    /// input and at 384 MB with these bounds (docs/reliability.md, "Peak RSS per file").
    /// </summary>
    public static BlobUploadOptions Bounded(BlobUploadOptions? options = null)
    {
        options ??= new BlobUploadOptions();
        options.TransferOptions = BoundedTransfer;
        return options;
    }

    private static readonly Azure.Storage.StorageTransferOptions BoundedTransfer = new()
    {
        InitialTransferSize = 4 << 20,
        MaximumTransferSize = 4 << 20,
        MaximumConcurrency = 4,
    };

    public async Task UploadJsonAsync<T>(string container, string name, T value, CancellationToken cancellationToken = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        await Blob(container, name).UploadAsync(new BinaryData(bytes), overwrite: true, cancellationToken);
    }

    public async Task<T?> ReadJsonAsync<T>(string container, string name, CancellationToken cancellationToken = default)
        where T : class
    {
        try
        {
            var content = await Blob(container, name).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<T>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteIfExistsAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        await Blob(container, name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Copies one blob version into another container by streaming, so no SAS or server-side copy is needed.</summary>
    public async Task CopyAsync(BlobReference source, string container, string name, CancellationToken cancellationToken = default)
    {
        await using var read = await OpenReadAsync(source, cancellationToken: cancellationToken);
        await Blob(container, name).UploadAsync(read, Bounded(), cancellationToken);
    }

    /// <summary>
    /// Where one version is read: its archived copy when <see cref="BlobReference.Archived"/> is set (archive names are
    /// per version and written only by the archiver, so no condition), else the blob itself, If-Match its ETag.
    /// </summary>
    /// <summary>
    /// Where a version is read from: its archived copy once it left incoming; else the blob itself, If-Match its ETag —
    /// except a staged copy (ETag "*"), whose content is a function of its name, so any version of it will do.
    /// </summary>
    private (BlobClient Blob, BlobRequestConditions? Conditions) Source(BlobReference input) =>
        input.Archived is { } archived
            ? (Blob(BlobContainers.Archive, archived), null)
            : (Blob(input.Container, input.Name), input.ETag == "*" ? null : new BlobRequestConditions { IfMatch = new ETag(input.ETag) });
}
