using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// The durable record of arrivals for batched datasets. The engine can lose events raised while an orchestration is
/// not waiting, so arrivals are blobs, not events: one per blob version, created if absent, listed with their
/// metadata in one call, deleted once their window's run is started.
/// </summary>
public sealed class ArrivalRecords(BlobStore store, VersionClaims versions)
{
    private const string NameKey = "blob";
    private const string ETagKey = "etag";
    private const string SizeKey = "size";
    private const string ArrivedKey = "arrived";

    /// <summary>Takes one version into its dataset's window; a version that already has a run is not taken again.</summary>
    public async Task<IntakeOutcome> AddAsync(string dataset, BlobReference input, DateTimeOffset arrivedAt, CancellationToken cancellationToken = default)
    {
        var claim = await versions.ClaimAsync(dataset, input, owner: null, cancellationToken);
        if (claim.Owner is not null)
        {
            return new IntakeOutcome(claim.Owner, IntakeDecision.AlreadyStarted);
        }

        var hash = RunIds.VersionHash(input.Name, input.ETag);
        var record = store.Blob(BlobContainers.State, StorageLayout.Arrival(dataset, hash));
        try
        {
            await record.UploadAsync(BinaryData.FromObjectAsJson(input, BlobStore.Json), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string>
                {
                    [NameKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(input.Name)),
                    [ETagKey] = input.ETag,
                    [SizeKey] = input.Size.ToString(CultureInfo.InvariantCulture),
                    [ArrivedKey] = arrivedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                },
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Already waiting in the window.
        }

        // A window may have been sealed between the first look and the record: then the record must not stay behind.
        var after = await versions.ReadAsync(dataset, input, cancellationToken);
        if (after?.Owner is { } owner)
        {
            await record.DeleteIfExistsAsync(cancellationToken: cancellationToken);
            return new IntakeOutcome(owner, IntakeDecision.AlreadyStarted);
        }

        return new IntakeOutcome(string.Empty, IntakeDecision.Queued);
    }

    /// <summary>Every arrival waiting in a dataset's window, oldest first.</summary>
    public async Task<List<PendingArrival>> ListPendingAsync(string dataset, CancellationToken cancellationToken = default)
    {
        var pending = new List<PendingArrival>();
        var container = store.Service.GetBlobContainerClient(BlobContainers.State);
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, StorageLayout.ArrivalsPrefix(dataset), cancellationToken))
        {
            if (Parse(item) is { } arrival)
            {
                pending.Add(arrival);
            }
        }

        return pending.OrderBy(a => a.ArrivedAt).ThenBy(a => a.VersionHash, StringComparer.Ordinal).ToList();
    }

    /// <summary>Datasets with at least one arrival waiting.</summary>
    public async Task<List<string>> DatasetsWithPendingAsync(CancellationToken cancellationToken = default)
    {
        var datasets = new List<string>();
        var container = store.Service.GetBlobContainerClient(BlobContainers.State);
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", StorageLayout.ArrivalsFolder, cancellationToken))
        {
            if (item.IsPrefix)
            {
                datasets.Add(item.Prefix[StorageLayout.ArrivalsFolder.Length..].TrimEnd('/'));
            }
        }

        return datasets;
    }

    public Task RemoveAsync(string dataset, string versionHash, CancellationToken cancellationToken = default) =>
        store.DeleteIfExistsAsync(BlobContainers.State, StorageLayout.Arrival(dataset, versionHash), cancellationToken);

    private static PendingArrival? Parse(BlobItem item)
    {
        var metadata = item.Metadata;
        if (!metadata.TryGetValue(NameKey, out var name) || !metadata.TryGetValue(ETagKey, out var etag)
            || !metadata.TryGetValue(SizeKey, out var size) || !metadata.TryGetValue(ArrivedKey, out var arrived))
        {
            // Written moments ago and not yet complete, or not ours: the next listing sees it whole.
            return null;
        }

        var hash = Path.GetFileNameWithoutExtension(item.Name);
        var input = new BlobReference(BlobContainers.Incoming, Encoding.UTF8.GetString(Convert.FromBase64String(name)), etag, long.Parse(size, CultureInfo.InvariantCulture));
        return new PendingArrival(hash, input, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(arrived, CultureInfo.InvariantCulture)));
    }
}
