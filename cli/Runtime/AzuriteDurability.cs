using System.Text.Json;

namespace Tributary.Cli.Runtime;

/// <summary>
/// Makes an upload to a disk-backed Azurite survive a SIGKILL of Azurite. Azurite 3.37 keeps its blob index in LokiJS
/// databases under --location (__azurite_db_blob__.json: blobs and their extent references;
/// __azurite_db_blob_extent__.json: where each extent lives) with autosave every 5 s (autosaveInterval 5000, hard-coded,
/// no option); only a graceful stop (SIGTERM/SIGINT → db.close) saves at once. The content itself is written to the
/// extent files before the upload is acknowledged. So an acknowledged upload is durable once both databases on disk
/// hold it: this reads the files Loki wrote (it writes name~ then renames) and checks the blob, with its ETag, and
/// every extent it refers to are there.
/// </summary>
public static class AzuriteDurability
{
    public const string BlobDatabase = "__azurite_db_blob__.json";
    public const string ExtentDatabase = "__azurite_db_blob_extent__.json";

    public sealed record UploadedBlob(string Container, string Name, string ETag);

    /// <summary>
    /// Waits until every blob is in Azurite's saved databases, or was consumed: a running serve can take a dropped
    /// file in, commit it and move it out of incoming before Azurite's next save, and then the blob is the run's to
    /// keep (as a consumed queue message is). False when the timeout passed first.
    /// </summary>
    /// <remarks>
    /// The databases are read again only when Azurite saved them, and storage is asked which blobs were consumed only
    /// after a save that left some unsaved: asking for each blob every few hundred milliseconds cost Azurite (one
    /// process, shared with the serve taking the files in) several requests per dropped file.
    /// </remarks>
    public static async Task<bool> WaitUntilPersistedAsync(
        string dataFolder, IReadOnlyCollection<UploadedBlob> blobs, Azure.Storage.Blobs.BlobServiceClient service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pending = blobs.ToList();
        var seen = default(SaveStamp);
        while (true)
        {
            var stamp = SaveStamp.Of(dataFolder);
            if (stamp != seen)
            {
                pending = [.. Unsaved(dataFolder, pending)];
                if (pending.Count > 0 && stamp.Complete)
                {
                    // A save that did not hold them: those no longer in storage at their ETag were consumed.
                    var present = await PresentAsync(service, pending, cancellationToken);
                    pending.RemoveAll(blob => !present.Contains(blob));
                }

                seen = stamp;
            }

            if (pending.Count == 0)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>When Azurite last saved each blob database (a save writes name~, then renames it over name).</summary>
    private readonly record struct SaveStamp(DateTime Blobs, DateTime Extents)
    {
        public bool Complete => Blobs != default && Extents != default;

        public static SaveStamp Of(string dataFolder) => new(WrittenAt(Path.Combine(dataFolder, BlobDatabase)), WrittenAt(Path.Combine(dataFolder, ExtentDatabase)));

        private static DateTime WrittenAt(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
    }

    /// <summary>
    /// The blobs still in storage at their ETag: a few are asked one by one, more by listing their common prefix
    /// (one request per 5,000 names instead of one per blob).
    /// </summary>
    private static async Task<HashSet<UploadedBlob>> PresentAsync(Azure.Storage.Blobs.BlobServiceClient service, List<UploadedBlob> blobs, CancellationToken cancellationToken)
    {
        var present = new HashSet<UploadedBlob>();
        if (blobs.Count <= 16)
        {
            foreach (var blob in blobs)
            {
                if (await ExistsAtAsync(service, blob, cancellationToken))
                {
                    present.Add(blob);
                }
            }

            return present;
        }

        foreach (var container in blobs.GroupBy(b => b.Container))
        {
            var wanted = container.ToDictionary(b => (b.Name, Unquote(b.ETag)));
            var prefix = CommonPrefix(container.Select(b => b.Name));
            await foreach (var item in service.GetBlobContainerClient(container.Key).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
            {
                if (wanted.TryGetValue((item.Name, Unquote(item.Properties.ETag?.ToString() ?? "")), out var blob))
                {
                    present.Add(blob);
                }
            }
        }

        return present;
    }

    private static string CommonPrefix(IEnumerable<string> names) =>
        names.Aggregate((string?)null, (prefix, name) => prefix is null ? name : prefix[..prefix.AsSpan().CommonPrefixLength(name)]) ?? "";

    /// <summary>
    /// Waits until a queue message is on disk (the saved queue database names it, and the queue extent database, with
    /// its text, was saved after it was sent), or until it was consumed: a listener (serve) can take and delete it before
    /// Azurite's next save, and then it is the consumer's to keep.
    /// </summary>
    public static async Task<bool> WaitUntilMessagePersistedAsync(string dataFolder, Azure.Storage.Queues.QueueClient queue, string messageId, DateTime sentAtUtc, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var queueDb = Path.Combine(dataFolder, "__azurite_db_queue__.json");
        var extentDb = Path.Combine(dataFolder, "__azurite_db_queue_extent__.json");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (File.GetLastWriteTimeUtc(extentDb) >= sentAtUtc &&
                    (await File.ReadAllTextAsync(queueDb, cancellationToken)).Contains(messageId, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // Being replaced at this moment: look again.
            }

            if ((await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount == 0)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>False once the blob is gone or holds another version (taken in and moved by a run, or overwritten).</summary>
    private static async Task<bool> ExistsAtAsync(Azure.Storage.Blobs.BlobServiceClient service, UploadedBlob blob, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await service.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name).GetPropertiesAsync(cancellationToken: cancellationToken);
            return Unquote(properties.Value.ETag.ToString()) == Unquote(blob.ETag);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>True when the saved blob database holds each blob at its ETag and the saved extent database every extent it uses.</summary>
    public static bool IsPersisted(string dataFolder, IReadOnlyCollection<UploadedBlob> blobs) => Unsaved(dataFolder, blobs).Count == 0;

    /// <summary>The blobs the saved databases do not hold yet (at their ETag, with every extent they use).</summary>
    public static IReadOnlyList<UploadedBlob> Unsaved(string dataFolder, IReadOnlyCollection<UploadedBlob> blobs)
    {
        using var blobDb = Load(Path.Combine(dataFolder, BlobDatabase));
        using var extentDb = Load(Path.Combine(dataFolder, ExtentDatabase));
        if (blobDb is null || extentDb is null)
        {
            return [.. blobs];
        }

        var extents = new HashSet<string>(
            Records(extentDb, "$EXTENTS_COLLECTION$").Select(e => e.TryGetProperty("id", out var id) ? id.GetString() ?? "" : ""),
            StringComparer.Ordinal);
        // Indexed by container/name/etag: a dropped folder of 10,000 files must not cost 10,000 scans of the database.
        var saved = new Dictionary<(string Container, string Name, string ETag), JsonElement>();
        foreach (var record in Records(blobDb, "$BLOBS_COLLECTION$"))
        {
            if (record.TryGetProperty("properties", out var properties))
            {
                saved.TryAdd((Text(record, "containerName"), Text(record, "name"), Unquote(Text(properties, "etag"))), record);
            }
        }

        return [.. blobs.Where(blob => !saved.TryGetValue((blob.Container, blob.Name, Unquote(blob.ETag)), out var record) || ExtentIds(record).Any(id => !extents.Contains(id)))];
    }

    private static IEnumerable<string> ExtentIds(JsonElement blob)
    {
        if (blob.TryGetProperty("persistency", out var persistency) && persistency.ValueKind == JsonValueKind.Object)
        {
            yield return Text(persistency, "id");
        }

        if (blob.TryGetProperty("committedBlocksInOrder", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                if (block.TryGetProperty("persistency", out var p) && p.ValueKind == JsonValueKind.Object)
                {
                    yield return Text(p, "id");
                }
            }
        }
    }

    private static IEnumerable<JsonElement> Records(JsonDocument db, string collection)
    {
        if (!db.RootElement.TryGetProperty("collections", out var collections) || collections.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var c in collections.EnumerateArray())
        {
            if (Text(c, "name") == collection && c.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var record in data.EnumerateArray())
                {
                    yield return record;
                }
            }
        }
    }

    private static JsonDocument? Load(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonDocument.Parse(stream);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static string Unquote(string etag) => etag.Trim('"');
}
