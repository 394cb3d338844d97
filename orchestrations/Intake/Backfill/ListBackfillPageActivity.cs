using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>
/// Lists one page of incoming/{dataset}/{prefix} (or archive/{dataset}/{prefix} for an archived backfill: each archived
/// copy is its version, name and ETag from the archive name, read from the archive) through the storage continuation token, drops blobs outside the
/// time range and versions that were processed already (unless force), and claims the rest for this page's batch
/// runs: version claims (so no version lands in two runs) and intake claims (so the runs are listed and
/// rerunnable). Batches are cut by listing position, so a retry of the activity claims the same runs.
/// </summary>
public sealed class ListBackfillPageActivity(BlobStore store, VersionClaims versions, IntakeClaims claims) : TaskActivity<BackfillPageRequest, BackfillPage>
{
    public override async Task<BackfillPage> RunAsync(TaskActivityContext context, BackfillPageRequest page)
    {
        var request = page.Request;
        var container = store.Service.GetBlobContainerClient(request.Archived ? BlobContainers.Archive : BlobContainers.Incoming);
        var items = new List<BlobItem>();
        string? next = null;
        await foreach (var listed in container.GetBlobsAsync(request.Archived ? BlobTraits.Metadata : BlobTraits.None, BlobStates.None, $"{request.Dataset}/{request.Prefix}", CancellationToken.None).AsPages(page.Continuation, page.PageSize))
        {
            items.AddRange(listed.Values);
            next = string.IsNullOrEmpty(listed.ContinuationToken) ? null : listed.ContinuationToken;
            break;
        }

        var runs = new List<IngestRequest>();
        var batches = items.Chunk(Math.Max(1, page.BatchSize)).ToList();
        for (var b = 0; b < batches.Count; b++)
        {
            var runId = RunIds.ForBackfillBatch(request.Dataset, page.BackfillId, page.Page, b);
            var inRange = batches[b].Where(InRange).Select(i => Version(i, request.Archived)).OfType<BlobReference>().ToList();
            await Parallel.ForAsync(0, inRange.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                inRange[i] = inRange[i].LastModified is null && inRange[i].Archived is not null ? inRange[i] with { LastModified = await UploadedAtAsync(request.Dataset, inRange[i], ct) } : inRange[i]);
            var owned = new bool[inRange.Count];
            await Parallel.ForAsync(0, inRange.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                owned[i] = await TakeAsync(request.Dataset, inRange[i], runId, request.Force, ct));
            var inputs = inRange.Where((_, i) => owned[i]).ToList();
            if (inputs.Count == 0)
            {
                continue;
            }

            var run = new IngestRequest(runId, request.Dataset, inputs, MaxChunksInFlight: page.MaxChunksInFlight);
            await claims.RecordScheduledAsync(run, DateTimeOffset.UtcNow, CancellationToken.None);
            runs.Add(run);
        }

        return new BackfillPage(items.Count, items.Count - runs.Sum(r => r.Inputs.Count), runs, next);

        bool InRange(BlobItem item)
        {
            var modified = item.Properties.LastModified;
            return (request.From is null || modified >= request.From) && (request.To is null || modified < request.To);
        }
    }

    /// <summary>
    /// The version a listed blob is: itself in incoming, or the incoming version an archived copy keeps, with its upload
    /// time from the copy's metadata when the archiver recorded it (null if the name is not an archive name).
    /// </summary>
    private static BlobReference? Version(BlobItem item, bool archived)
    {
        var size = item.Properties.ContentLength ?? 0;
        if (!archived)
        {
            return new BlobReference(BlobContainers.Incoming, item.Name, item.Properties.ETag!.Value.ToString().Trim('"'), size);
        }

        DateTimeOffset? uploaded = item.Metadata is { } metadata && metadata.TryGetValue(InputArchiver.SourceModifiedKey, out var text)
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed)
            ? parsed
            : null;
        return StorageLayout.ArchivedVersionOf(item.Name) is { } version
            ? new BlobReference(BlobContainers.Incoming, version.IncomingName, version.ETag, size, uploaded, Archived: item.Name)
            : null;
    }

    /// <summary>
    /// The upload time of an archived version whose copy predates <see cref="InputArchiver.SourceModifiedKey"/>: from the
    /// manifest of the run that claimed it (null if none records it; planning then falls back to the copy's own time).
    /// </summary>
    private async Task<DateTimeOffset?> UploadedAtAsync(string dataset, BlobReference version, CancellationToken cancellationToken)
    {
        if (await versions.ReadAsync(dataset, version, cancellationToken) is not { Owner: { Length: > 0 } owner })
        {
            return null;
        }

        var manifest = await store.ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest(dataset, owner), cancellationToken);
        return manifest?.Inputs.FirstOrDefault(i => i.Name == version.Name && i.ETag.Trim('"') == version.ETag)?.LastModified;
    }

    private async Task<bool> TakeAsync(string dataset, BlobReference version, string runId, bool force, CancellationToken cancellationToken)
    {
        if (!force && await versions.ReadAsync(dataset, version, cancellationToken) is null)
        {
            // Runs taken in before the version index existed are known by their intake claim only.
            var legacy = store.Blob(BlobContainers.State, StorageLayout.IntakeClaim(RunIds.ForBlob(dataset, version.Name, version.ETag)));
            if (await legacy.ExistsAsync(cancellationToken))
            {
                return false;
            }
        }

        return await versions.TryTakeAsync(dataset, version, runId, force, cancellationToken);
    }
}
