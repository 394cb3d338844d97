using System.Collections.Concurrent;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// The Delta tables of each dataset: <c>curated/{dataset}/</c> (every run's rows) and
/// <c>results/{dataset}/aggregate/</c> (the aggregation spec over the curated table). One store instance per
/// table per process, so the decoded checkpoint it caches is reused by every commit and read.
/// </summary>
public sealed class DatasetTables(BlobStore store)
{
    private readonly ConcurrentDictionary<string, BlobDeltaStore> stores = new(StringComparer.Ordinal);

    public BlobDeltaStore Curated(string dataset) =>
        stores.GetOrAdd($"{BlobContainers.Curated}/{dataset}", _ => new BlobDeltaStore(store.Container(BlobContainers.Curated), StorageLayout.CuratedTableRoot(dataset)));

    public BlobDeltaStore Aggregate(string dataset) =>
        stores.GetOrAdd($"{BlobContainers.Results}/{dataset}", _ => new BlobDeltaStore(store.Container(BlobContainers.Results), StorageLayout.AggregateTableRoot(dataset)));
}
