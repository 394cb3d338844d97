using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>What one reconciliation sweep found in incoming.</summary>
/// <param name="Listed">Blobs in incoming.</param>
/// <param name="Young">Younger than the grace period: their event (or the watcher) may still be on its way.</param>
/// <param name="Claimed">Older, and already in a run or a batch window.</param>
/// <param name="TakenIn">Older and unclaimed: missed by every trigger, now taken in.</param>
/// <param name="Moved">Claimed by a committed run that should have moved them out of incoming; moved now.</param>
public sealed record SweepResult(int Listed, int Young, int Claimed, int TakenIn, int Moved);

/// <summary>
/// The reconciliation sweep (Auto Loader's backfillInterval): events are not guaranteed, so on a schedule it lists
/// incoming for blobs older than a grace period that no run or batch window has claimed, and takes them in through
/// <see cref="RunIntake"/> (idempotent on blob and ETag, so racing a late event is harmless). It also finishes an
/// input move a committed run could not complete (its manifest says where the input goes). Because processed inputs
/// leave incoming, a sweep costs the backlog; datasets with <c>input.afterCommit: keep</c> add one claim check per kept blob.
/// </summary>
public sealed class IncomingSweep(
    BlobStore store,
    VersionClaims versions,
    RunIntake intake,
    InputArchiver archiver,
    DatasetCatalog datasets,
    PipelineOptions options,
    ILogger<IncomingSweep> logger)
{
    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = DateTimeOffset.UtcNow - options.SweepGracePeriod;
        int listed = 0, young = 0, claimed = 0, takenIn = 0, moved = 0;
        await foreach (var blob in store.Container(BlobContainers.Incoming).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken))
        {
            listed++;
            if (blob.Properties.LastModified is { } modified && modified > cutoff)
            {
                young++;
                continue;
            }

            var dataset = StorageLayout.DatasetOf(blob.Name) ?? RunIds.UnassignedDataset;
            var version = new BlobReference(BlobContainers.Incoming, blob.Name, blob.Properties.ETag!.Value.ToString().Trim('"'), blob.Properties.ContentLength ?? 0);
            var claim = await versions.ReadAsync(dataset, version, cancellationToken);
            if (claim is null)
            {
                var outcome = await intake.SubmitBlobAsync(version.Name, version.ETag, version.Size, cancellationToken);
                logger.LogWarning("Sweep: {Blob} was in incoming unclaimed since {Modified}; taken in: run {RunId} {Decision}", version, blob.Properties.LastModified, outcome.RunId, outcome.Decision);
                takenIn++;
                continue;
            }

            claimed++;
            if (claim.Owner is { Length: > 0 } owner && await FinishMoveAsync(dataset, owner, version, cancellationToken))
            {
                moved++;
            }
        }

        var result = new SweepResult(listed, young, claimed, takenIn, moved);
        logger.Log(
            takenIn + moved > 0 ? LogLevel.Warning : LogLevel.Information,
            "Sweep of {Container}: {Listed} listed, {Young} within the grace period, {Claimed} claimed, {TakenIn} missed and taken in, {Moved} moved after their run",
            BlobContainers.Incoming, listed, young, claimed, takenIn, moved);
        return result;
    }

    /// <summary>A version whose run committed a manifest that says it leaves incoming, but is still there: move it now.</summary>
    private async Task<bool> FinishMoveAsync(string dataset, string runId, BlobReference version, CancellationToken cancellationToken)
    {
        if (SafeFind(dataset)?.Input.AfterCommit is null or InputLifecycle.Keep)
        {
            return false;
        }

        var manifest = await store.ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest(dataset, runId), cancellationToken);
        var entry = manifest?.InputsAfterCommit?.FirstOrDefault(a =>
            a.Input.Name == version.Name && a.Input.ETag.Trim('"') == version.ETag && a.Action != InputLifecycle.Keep);
        if (entry is null)
        {
            return false;
        }

        var move = await archiver.MoveAsync(entry, cancellationToken);
        logger.LogWarning("Sweep: {Blob} was still in incoming after run {RunId} committed; {Move}", version, runId, move);
        return true;
    }

    private DatasetDefinition? SafeFind(string dataset)
    {
        try
        {
            return datasets.Find(dataset);
        }
        catch (DatasetDefinitionException)
        {
            return null;
        }
    }
}
