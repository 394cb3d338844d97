using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Datasets;

/// <summary>
/// The dataset definition a run uses, frozen when the run is planned: a copy stored by content hash
/// (tributary-state/definitions/{dataset}/{hash}.json, create-if-absent, never changed). Every activity of the
/// run reads that copy, so an edit of the definition mid-run only affects later runs.
/// </summary>
public sealed class FrozenDefinitions(DatasetCatalog catalog, BlobStore store)
{
    private readonly ConcurrentDictionary<string, DatasetDefinition> byHash = new(StringComparer.Ordinal);

    /// <summary>Where the current definitions come from.</summary>
    public string Folder => catalog.Folder;

    /// <summary>Freezes the dataset's current definition; null when it has none (an invalid one throws).</summary>
    public async Task<(DatasetDefinition Definition, string Hash)?> FreezeAsync(string dataset, CancellationToken cancellationToken = default)
    {
        if (catalog.FindWithText(dataset) is not { } found)
        {
            return null;
        }

        var hash = HashOf(found.Json);
        if (!byHash.ContainsKey(Key(dataset, hash)))
        {
            try
            {
                await store.Blob(BlobContainers.State, StorageLayout.DefinitionSnapshot(dataset, hash)).UploadAsync(
                    BinaryData.FromString(found.Json),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                    cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Frozen before, by this run's retry or an earlier run: same hash, same text.
            }

            byHash[Key(dataset, hash)] = found.Definition;
        }

        return (found.Definition, hash);
    }

    /// <summary>The definition frozen under <paramref name="hash"/>.</summary>
    public async Task<DatasetDefinition> GetAsync(string dataset, string? hash, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(hash))
        {
            throw new DatasetDefinitionException($"no definition of '{dataset}' was frozen for this run: runs are planned by PlanRunActivity, which freezes it");
        }

        if (byHash.TryGetValue(Key(dataset, hash), out var cached))
        {
            return cached;
        }

        var name = StorageLayout.DefinitionSnapshot(dataset, hash);
        BinaryData text;
        try
        {
            text = (await store.Blob(BlobContainers.State, name).DownloadContentAsync(cancellationToken)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new DatasetDefinitionException($"the definition of '{dataset}' frozen for this run ({BlobContainers.State}/{name}) is missing", ex);
        }

        var definition = DatasetDefinitionLoader.Parse(text.ToString(), $"{BlobContainers.State}/{name}");
        byHash[Key(dataset, hash)] = definition;
        return definition;
    }

    /// <summary>First 16 bytes of the SHA-256 of the definition's JSON text, in hex.</summary>
    public static string HashOf(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))[..16]);

    private static string Key(string dataset, string hash) => $"{dataset}/{hash}";
}
