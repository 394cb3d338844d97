using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Api;

/// <summary>Reads runs back from storage: intake claims say a run exists, manifests say how it ended.</summary>
public sealed class RunCatalog(BlobStore store)
{
    public async Task<IReadOnlyList<RunSummary>> ListAsync(string? dataset = null, RunStatus? status = null, CancellationToken cancellationToken = default)
    {
        var runs = new List<RunSummary>();
        var state = store.Service.GetBlobContainerClient(BlobContainers.State);
        if (!await state.ExistsAsync(cancellationToken))
        {
            return runs;
        }

        await foreach (var blob in state.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, StorageLayout.IntakeClaimsFolder, cancellationToken))
        {
            var claim = await store.ReadJsonAsync<IntakeClaim>(BlobContainers.State, blob.Name, cancellationToken);
            if (claim?.Request is null || (dataset is not null && claim.Request.Dataset != dataset))
            {
                continue;
            }

            var summary = await SummarizeAsync(claim, cancellationToken);
            if (status is null || summary.Status == status)
            {
                runs.Add(summary);
            }
        }

        return runs.OrderByDescending(r => r.ClaimedAt).ToList();
    }

    /// <summary>
    /// One page of runs in run-id order, resuming after the run named by <paramref name="continuation"/> (an
    /// opaque token from the previous page; null when there are no more). Throws FormatException on a bad token.
    /// </summary>
    public async Task<(IReadOnlyList<RunSummary> Runs, string? Continuation)> ListPageAsync(
        string? dataset, RunStatus? status, int top, string? continuation, CancellationToken cancellationToken = default)
    {
        var after = continuation is null ? null : ContinuationToken.Decode(continuation);
        var runs = new List<RunSummary>();
        string? last = null;
        var state = store.Service.GetBlobContainerClient(BlobContainers.State);
        if (!await state.ExistsAsync(cancellationToken))
        {
            return (runs, null);
        }

        // Run ids start with their dataset, so a dataset filter narrows the listing itself.
        var prefix = StorageLayout.IntakeClaimsOf(dataset);
        await foreach (var blob in state.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
        {
            if (after is not null && string.CompareOrdinal(blob.Name, after) <= 0)
            {
                continue;
            }

            if (runs.Count == top)
            {
                return (runs, ContinuationToken.Encode(last!));
            }

            var claim = await store.ReadJsonAsync<IntakeClaim>(BlobContainers.State, blob.Name, cancellationToken);
            if (claim is null || (dataset is not null && claim.Request.Dataset != dataset))
            {
                continue;
            }

            var summary = await SummarizeAsync(claim, cancellationToken);
            if (status is null || summary.Status == status)
            {
                runs.Add(summary);
                last = blob.Name;
            }
        }

        return (runs, null);
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

    private async Task<RunSummary> SummarizeAsync(IntakeClaim claim, CancellationToken cancellationToken)
    {
        var request = claim.Request;
        var manifest = await ReadManifestAsync(request.Dataset, request.RunId, cancellationToken);
        return manifest is null
            ? new RunSummary(request.RunId, request.Dataset, RunStatus.Running, request.Inputs.Count, claim.ClaimedAt, null, null, null)
            : new RunSummary(request.RunId, request.Dataset, manifest.Status, request.Inputs.Count, claim.ClaimedAt, manifest.Totals, manifest.Timings.CompletedAt, manifest.Error);
    }
}
