using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// The processed-version index: tributary-state/versions/{dataset}/{hash}.json says which run owns a blob version.
/// Every path that puts a version into a run (per-blob intake, batch windows, backfills) takes it here first,
/// create-if-absent or ETag-conditional, so one version lands in one run only.
/// </summary>
public sealed class VersionClaims(BlobStore store)
{
    private const string OwnerKey = "owner";

    /// <summary>The owner of a version: a run id, or null while the version waits in a batch window.</summary>
    public sealed record Claim(string? Owner, ETag ETag);

    /// <summary>Creates the claim when absent (owner null = pending in a window); returns the claim as it now stands.</summary>
    public async Task<Claim> ClaimAsync(string dataset, BlobReference version, string? owner, CancellationToken cancellationToken = default)
    {
        var blob = BlobOf(dataset, version);
        try
        {
            var created = await blob.UploadAsync(
                BinaryData.FromObjectAsJson(version, BlobStore.Json),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = owner is null ? null : new Dictionary<string, string> { [OwnerKey] = owner },
                },
                cancellationToken);
            return new Claim(owner, created.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await ReadAsync(dataset, version, cancellationToken)
                ?? throw new InvalidOperationException($"version claim of {version} vanished while being read");
        }
    }

    public async Task<Claim?> ReadAsync(string dataset, BlobReference version, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = (await BlobOf(dataset, version).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new Claim(properties.Metadata.TryGetValue(OwnerKey, out var owner) ? owner : null, properties.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Gives a version to <paramref name="runId"/> if it is unowned (or already its own; or in any case with
    /// <paramref name="force"/>). True when the run owns it afterwards. Races are settled by the claim's ETag.
    /// </summary>
    public async Task<bool> TryTakeAsync(string dataset, BlobReference version, string runId, bool force, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var claim = await ClaimAsync(dataset, version, runId, cancellationToken);
            if (claim.Owner == runId)
            {
                return true;
            }

            if (claim.Owner is not null && !force)
            {
                return false;
            }

            try
            {
                await BlobOf(dataset, version).SetMetadataAsync(
                    new Dictionary<string, string> { [OwnerKey] = runId },
                    new BlobRequestConditions { IfMatch = claim.ETag },
                    cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Someone changed the claim in between: look again.
            }
        }

        return false;
    }

    private BlobClient BlobOf(string dataset, BlobReference version) =>
        store.Blob(BlobContainers.State, StorageLayout.VersionClaim(dataset, RunIds.VersionHash(version.Name, version.ETag)));
}
