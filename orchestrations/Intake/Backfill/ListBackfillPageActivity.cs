using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>
/// Lists one page of incoming/{dataset}/{prefix} through the storage continuation token, drops blobs outside the
/// time range and versions that were processed already (unless force), and claims the rest for this page's batch
/// runs: version claims (so no version lands in two runs) and intake claims (so the runs are listed and
/// rerunnable). Batches are cut by listing position, so a retry of the activity claims the same runs.
/// </summary>
public sealed class ListBackfillPageActivity(BlobStore store, VersionClaims versions, IntakeClaims claims) : TaskActivity<BackfillPageRequest, BackfillPage>
{
    public override async Task<BackfillPage> RunAsync(TaskActivityContext context, BackfillPageRequest page)
    {
        var request = page.Request;
        var container = store.Service.GetBlobContainerClient(BlobContainers.Incoming);
        var items = new List<BlobItem>();
        string? next = null;
        await foreach (var listed in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{request.Dataset}/{request.Prefix}", CancellationToken.None).AsPages(page.Continuation, page.PageSize))
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
            var inRange = batches[b].Where(InRange).Select(i => new BlobReference(BlobContainers.Incoming, i.Name, i.Properties.ETag!.Value.ToString().Trim('"'), i.Properties.ContentLength ?? 0)).ToList();
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
