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

    public BlobClient Blob(string container, string name) => Service.GetBlobContainerClient(container).GetBlobClient(Addressable(name));

    /// <summary>
    /// The name to address a blob by. A name with '.' or '..' segments cannot go into a URL as it is: the client collapses
    /// them and would address another blob. Storage reads a backslash as '/' (that is how such a blob got its name: a
    /// file uploaded as <c>..\x.csv</c> is listed as <c>../x.csv</c>), so the same blob is addressed with backslashes.
    /// </summary>
    public static string Addressable(string name) =>
        name.Split('/').Any(segment => segment is "." or "..") ? name.Replace('/', '\\') : name;

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
        await DownloadToFileAsync(blob, path, new BlobDownloadOptions { Range = range, Conditions = conditions }, copy, cancellationToken);
    }

    /// <summary>Any blob (or a range of it) streamed to a local file the same way: one GET, no buffer beyond the copy's.</summary>
    public static async Task DownloadToFileAsync(BlobClient blob, string path, BlobDownloadOptions? options = null, Func<Stream, Stream, CancellationToken, Task>? copy = null, CancellationToken cancellationToken = default)
    {
        var response = await blob.DownloadStreamingAsync(options ?? new BlobDownloadOptions(), cancellationToken);
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

    /// <summary>
    /// One blob version as a forward-only stream: one GET whose response is read as it arrives (the SDK resumes it from
    /// the last byte read, same version, after a network failure), so no read-ahead buffer is held.
    /// </summary>
    public async Task<Stream> OpenReadAsync(BlobReference input, CancellationToken cancellationToken = default)
    {
        var (blob, conditions) = Source(input);
        return await OpenReadAsync(blob, conditions, cancellationToken);
    }

    /// <summary>Any blob as a forward-only stream, the same way (the SDK's OpenRead holds a 4 MiB read-ahead buffer per stream).</summary>
    public static async Task<Stream> OpenReadAsync(BlobClient blob, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken);
        return response.Value.Content;
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

    /// <summary>Uploads a local file in bounded blocks (<see cref="BlockUpload"/>).</summary>
    public async Task UploadFileAsync(string container, string name, string path, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        await BlockUpload.UploadAsync(Blob(container, name), file, cancellationToken: cancellationToken);
    }

    public async Task UploadJsonAsync<T>(string container, string name, T value, CancellationToken cancellationToken = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        await Blob(container, name).UploadAsync(new BinaryData(bytes), overwrite: true, cancellationToken);
    }

    public Task<T?> ReadJsonAsync<T>(string container, string name, CancellationToken cancellationToken = default)
        where T : class => ReadJsonAsync<T>(Blob(container, name), cancellationToken);

    /// <summary>As <see cref="ReadJsonAsync{T}(string, string, CancellationToken)"/>, at a "container/name" path (<see cref="BlobAt"/>).</summary>
    public Task<T?> ReadJsonAtAsync<T>(string path, CancellationToken cancellationToken = default)
        where T : class => ReadJsonAsync<T>(BlobAt(path), cancellationToken);

    private static async Task<T?> ReadJsonAsync<T>(BlobClient blob, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
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
    public Task CopyAsync(BlobReference source, string container, string name, CancellationToken cancellationToken = default) =>
        CopyAsync(source, Blob(container, name), options: null, cancellationToken);

    /// <summary>The same, to any blob, with the copy's headers, metadata and conditions.</summary>
    public async Task CopyAsync(BlobReference source, BlobClient target, BlobUploadOptions? options, CancellationToken cancellationToken = default)
    {
        await using var read = await OpenReadAsync(source, cancellationToken);
        await BlockUpload.UploadAsync(target, read, options, cancellationToken);
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
