using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Api;

/// <summary>Reads runs back from storage: intake claims say a run exists, manifests say how it ended.</summary>
public sealed class RunCatalog(BlobStore store)
{
    public Task<IReadOnlyList<RunSummary>> ListAsync(string? dataset = null, RunStatus? status = null, CancellationToken cancellationToken = default) =>
        ListAsync(dataset, status, null, cancellationToken);

    /// <summary>Every run and backfill, newest first; <paramref name="live"/> gives the status of unfinished ones.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(string? dataset, RunStatus? status, LiveRunStatus? live, CancellationToken cancellationToken = default)
    {
        var runs = new List<RunSummary>();
        await foreach (var (_, kind, name) in EnumerateAsync(dataset, null, cancellationToken))
        {
            if (await SummarizeAsync(kind, name, dataset, live, cancellationToken) is { } summary &&
                (status is null || summary.Status == status))
            {
                runs.Add(summary);
            }
        }

        return runs.OrderByDescending(r => r.ClaimedAt).ToList();
    }

    /// <summary>
    /// One page of runs and backfills in run-id order, resuming after the run named by <paramref name="continuation"/>
    /// (an opaque token from the previous page; null when there are no more). Throws FormatException on a bad token.
    /// </summary>
    public async Task<(IReadOnlyList<RunSummary> Runs, string? Continuation)> ListPageAsync(
        string? dataset, RunStatus? status, int top, string? continuation, CancellationToken cancellationToken = default) =>
        await ListPageAsync(dataset, status, top, continuation, null, cancellationToken);

    public async Task<(IReadOnlyList<RunSummary> Runs, string? Continuation)> ListPageAsync(
        string? dataset, RunStatus? status, int top, string? continuation, LiveRunStatus? live, CancellationToken cancellationToken = default)
    {
        // Tokens name the last run's file name ({runId}.json); tokens of earlier versions carried the folder before it.
        string? after = null;
        if (continuation is not null)
        {
            after = ContinuationToken.Decode(continuation);
            after = after.StartsWith(StorageLayout.IntakeClaimsFolder, StringComparison.Ordinal) ? after[StorageLayout.IntakeClaimsFolder.Length..] : after;
        }

        var runs = new List<RunSummary>();
        string? last = null;
        await foreach (var (key, kind, name) in EnumerateAsync(dataset, after, cancellationToken))
        {
            if (runs.Count == top)
            {
                return (runs, ContinuationToken.Encode(last!));
            }

            if (await SummarizeAsync(kind, name, dataset, live, cancellationToken) is { } summary &&
                (status is null || summary.Status == status))
            {
                runs.Add(summary);
                last = key;
            }
        }

        return (runs, null);
    }

    /// <summary>
    /// Intake claims and backfill records merged in the order of their file names ({id}.json), after <paramref name="after"/>.
    /// Run ids start with their dataset and backfill ids with backfill-{dataset}-, so a dataset filter narrows the listings.
    /// </summary>
    private async IAsyncEnumerable<(string Key, string Kind, string Name)> EnumerateAsync(
        string? dataset, string? after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = store.Service.GetBlobContainerClient(BlobContainers.State);
        if (!await state.ExistsAsync(cancellationToken))
        {
            yield break;
        }

        var claims = Names(state, StorageLayout.IntakeClaimsOf(dataset), cancellationToken).GetAsyncEnumerator(cancellationToken);
        var backfills = Names(state, StorageLayout.BackfillRecordsOf(dataset), cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var hasClaim = await claims.MoveNextAsync();
            var hasBackfill = await backfills.MoveNextAsync();
            while (hasClaim || hasBackfill)
            {
                var takeClaim = hasClaim && (!hasBackfill || string.CompareOrdinal(Key(claims.Current), Key(backfills.Current)) <= 0);
                var name = takeClaim ? claims.Current : backfills.Current;
                var key = Key(name);
                if (after is null || string.CompareOrdinal(key, after) > 0)
                {
                    yield return (key, takeClaim ? RunKinds.Ingest : RunKinds.Backfill, name);
                }

                if (takeClaim)
                {
                    hasClaim = await claims.MoveNextAsync();
                }
                else
                {
                    hasBackfill = await backfills.MoveNextAsync();
                }
            }
        }
        finally
        {
            await claims.DisposeAsync();
            await backfills.DisposeAsync();
        }

        static string Key(string name) => name[(name.IndexOf('/') + 1)..];
    }

    private static async IAsyncEnumerable<string> Names(
        Azure.Storage.Blobs.BlobContainerClient container, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
        {
            yield return blob.Name;
        }
    }

    private async Task<RunSummary?> SummarizeAsync(string kind, string name, string? dataset, LiveRunStatus? live, CancellationToken cancellationToken)
    {
        if (kind == RunKinds.Backfill)
        {
            var backfill = await store.ReadJsonAsync<BackfillRecord>(BlobContainers.State, name, cancellationToken);
            if (backfill is null || (dataset is not null && backfill.Dataset != dataset))
            {
                return null;
            }

            var status = live is null ? null : await live(backfill.BackfillId, RunKinds.Backfill, cancellationToken);
            return new RunSummary(backfill.BackfillId, backfill.Dataset, status ?? RunStatus.Pending, 0, backfill.StartedAt, null, null, null, RunKinds.Backfill);
        }

        var claim = await store.ReadJsonAsync<IntakeClaim>(BlobContainers.State, name, cancellationToken);
        if (claim?.Request is null || (dataset is not null && claim.Request.Dataset != dataset))
        {
            return null;
        }

        var request = claim.Request;
        var manifest = await ReadManifestAsync(request.Dataset, request.RunId, cancellationToken);
        if (manifest is not null)
        {
            return new RunSummary(request.RunId, request.Dataset, manifest.Status, request.Inputs.Count, claim.ClaimedAt, manifest.Totals, manifest.Timings.CompletedAt, manifest.Error);
        }

        var running = live is null ? null : await live(request.RunId, RunKinds.Ingest, cancellationToken);
        return new RunSummary(request.RunId, request.Dataset, running ?? RunStatus.Running, request.Inputs.Count, claim.ClaimedAt, null, null, null);
    }

    public async Task<IntakeClaim?> FindClaimAsync(string runId, CancellationToken cancellationToken = default) =>
        await store.ReadJsonAsync<IntakeClaim>(BlobContainers.State, StorageLayout.IntakeClaim(runId), cancellationToken);

    public async Task<RunManifest?> FindManifestAsync(string runId, CancellationToken cancellationToken = default)
    {
        var claim = await FindClaimAsync(runId, cancellationToken);
        return claim is null ? null : await ReadManifestAsync(claim.Request.Dataset, runId, cancellationToken);
    }

    public Task<RunManifest?> ReadManifestAsync(string dataset, string runId, CancellationToken cancellationToken = default) =>
        store.ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest(dataset, runId), cancellationToken);
}
