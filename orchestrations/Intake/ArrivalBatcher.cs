using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// Seals due batch windows into runs. Per dataset, one batcher at a time holds a blob lease; a sealed window is
/// written as a <see cref="BatchClaim"/> first, then each member's version claim is taken for the batch run
/// (ETag-conditional, so a version never lands in two runs), then the run is started through the intake, and only
/// then are the arrival records and the batch claim removed. A crash anywhere is finished by the next pass.
/// Hosts call <see cref="SealDueWindowsAsync"/> on a timer (the standalone host every second).
/// </summary>
public sealed class ArrivalBatcher(
    BlobStore store,
    ArrivalRecords arrivals,
    VersionClaims versions,
    RunIntake intake,
    BatchSealMessages seals,
    PipelineOptions options,
    ILogger<ArrivalBatcher> logger)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>One pass over every dataset with waiting arrivals or unfinished batches; returns the runs started.</summary>
    public async Task<IReadOnlyList<string>> SealDueWindowsAsync(CancellationToken cancellationToken = default)
    {
        var datasets = (await arrivals.DatasetsWithPendingAsync(cancellationToken)).Union(await DatasetsWithOpenBatchesAsync(cancellationToken));
        var started = new List<string>();
        foreach (var dataset in datasets)
        {
            started.AddRange(await SealDueWindowsAsync(dataset, cancellationToken));
        }

        return started;
    }

    /// <summary>
    /// Handles one <see cref="StorageQueues.BatchSeal"/> message: seals the dataset's due windows. When a window is due
    /// but stays unsealed (another batcher holds the lease), a new message is sent so that it is not forgotten.
    /// Returns the runs started; an unreadable message starts nothing.
    /// </summary>
    public async Task<IReadOnlyList<string>> SealFromMessageAsync(string body, CancellationToken cancellationToken = default)
    {
        if (BatchSealMessages.DatasetOf(body) is not { } dataset)
        {
            logger.LogWarning("Dropped a {Queue} message that names no dataset: {Body}", StorageQueues.BatchSeal, body.Length > 200 ? body[..200] : body);
            return [];
        }

        var started = await SealDueWindowsAsync(dataset, cancellationToken);
        var window = intake.WindowOf(dataset);
        var pending = await arrivals.ListPendingAsync(dataset, cancellationToken);
        if (pending.Count > 0 && (!window.IsEnabled || BatchWindowPlanner.NextDueWindow(pending, window, DateTimeOffset.UtcNow).Count > 0))
        {
            await seals.SendAsync(dataset, BatchSealMessages.RetryDelay, cancellationToken);
        }

        return started;
    }

    public async Task<IReadOnlyList<string>> SealDueWindowsAsync(string dataset, CancellationToken cancellationToken = default)
    {
        var started = new List<string>();
        await using var lease = await TryLeaseAsync(dataset, cancellationToken);
        if (lease is null)
        {
            return started;
        }

        foreach (var open in await OpenBatchesAsync(dataset, cancellationToken))
        {
            if (await FinishAsync(open, cancellationToken) is { } runId)
            {
                started.Add(runId);
            }
        }

        var window = intake.WindowOf(dataset);
        var pending = await arrivals.ListPendingAsync(dataset, cancellationToken);
        while (pending.Count > 0)
        {
            // A dataset whose batching was turned off still drains what is waiting.
            var members = window.IsEnabled ? BatchWindowPlanner.NextDueWindow(pending, window, DateTimeOffset.UtcNow) : pending.Take(1).ToList();
            if (members.Count == 0)
            {
                break;
            }

            var batchId = window.IsEnabled ? RunIds.ForBatch(dataset, members.Select(m => m.VersionHash)) : RunIds.ForBlob(dataset, members[0].Input.Name, members[0].Input.ETag);
            var claim = new BatchClaim(batchId, dataset, members, DateTimeOffset.UtcNow);
            await store.UploadJsonAsync(BlobContainers.State, StorageLayout.BatchClaim(dataset, batchId), claim, cancellationToken);
            if (await FinishAsync(claim, cancellationToken) is { } runId)
            {
                started.Add(runId);
            }

            pending.RemoveRange(0, members.Count);
            await lease.RenewAsync(cancellationToken);
        }

        return started;
    }

    /// <summary>Takes the members for the batch run, starts it, then clears its records. Idempotent.</summary>
    private async Task<string?> FinishAsync(BatchClaim claim, CancellationToken cancellationToken)
    {
        var owned = new bool[claim.Members.Count];
        await Parallel.ForAsync(0, claim.Members.Count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            owned[i] = await versions.TryTakeAsync(claim.Dataset, claim.Members[i].Input, claim.BatchId, force: false, ct));
        var inputs = claim.Members.Where((_, i) => owned[i]).Select(m => m.Input).ToList();

        string? started = null;
        if (inputs.Count > 0)
        {
            var outcome = await intake.StartAsync(new IngestRequest(claim.BatchId, claim.Dataset, inputs, MaxChunksInFlight: options.MaxChunksInFlight), cancellationToken);
            if (outcome.Decision == IntakeDecision.ClaimedElsewhere)
            {
                return null;
            }

            started = outcome.Decision == IntakeDecision.Started ? claim.BatchId : null;
            logger.LogInformation("Batch {BatchId} of {Dataset}: {Inputs} of {Members} arrival(s), {Decision}", claim.BatchId, claim.Dataset, inputs.Count, claim.Members.Count, outcome.Decision);
        }

        await Parallel.ForEachAsync(claim.Members, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (member, ct) =>
            await arrivals.RemoveAsync(claim.Dataset, member.VersionHash, ct));
        await store.DeleteIfExistsAsync(BlobContainers.State, StorageLayout.BatchClaim(claim.Dataset, claim.BatchId), cancellationToken);
        return started;
    }

    private async Task<List<BatchClaim>> OpenBatchesAsync(string dataset, CancellationToken cancellationToken)
    {
        var open = new List<BatchClaim>();
        var container = store.Service.GetBlobContainerClient(BlobContainers.State);
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.BatchClaimsPrefix(dataset), cancellationToken))
        {
            if (await store.ReadJsonAsync<BatchClaim>(BlobContainers.State, item.Name, cancellationToken) is { } claim)
            {
                open.Add(claim);
            }
        }

        return open;
    }

    private async Task<List<string>> DatasetsWithOpenBatchesAsync(CancellationToken cancellationToken)
    {
        var datasets = new List<string>();
        var container = store.Service.GetBlobContainerClient(BlobContainers.State);
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", StorageLayout.BatchClaimsFolder, cancellationToken))
        {
            if (item.IsPrefix)
            {
                datasets.Add(item.Prefix[StorageLayout.BatchClaimsFolder.Length..].TrimEnd('/'));
            }
        }

        return datasets;
    }

    private async Task<Lease?> TryLeaseAsync(string dataset, CancellationToken cancellationToken)
    {
        var blob = store.Blob(BlobContainers.State, StorageLayout.BatcherLock(dataset));
        try
        {
            await blob.UploadAsync(BinaryData.FromString(dataset), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists already (or is leased right now).
        }

        var client = blob.GetBlobLeaseClient();
        try
        {
            await client.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
            return new Lease(client);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
    }

    /// <summary>The batcher's lease on one dataset, released when disposed.</summary>
    private sealed class Lease(BlobLeaseClient client) : IAsyncDisposable
    {
        public async Task RenewAsync(CancellationToken cancellationToken) => await client.RenewAsync(cancellationToken: cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await client.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // Expired or taken: it lapses on its own.
            }
        }
    }
}
