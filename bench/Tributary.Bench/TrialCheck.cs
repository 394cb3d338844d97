using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Testing;

namespace Tributary.Bench;

/// <summary>
/// What a trial checks once its run ended: the curated table as a reader sees it (the Delta log's active files,
/// downloaded and counted with DuckDB), and whether the aggregate equals a full recompute over that table.
/// </summary>
internal sealed record TrialCheck(long Rows, long DistinctIds, long IdSum, int Groups, int AggregateMismatches)
{
    public static async Task<TrialCheck> ReadAsync(DatasetTables tables, string dataset, string work)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "check-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var curated = await DownloadAsync(tables.Curated(dataset), folder, "curated");
            var aggregate = await DownloadAsync(tables.Aggregate(dataset), folder, "aggregate");
            var (rows, distinct, idSum) = TaxiOracle.ParquetIds(curated);
            var expected = TaxiOracle.RecomputeFromCurated(curated);
            var actual = TaxiOracle.AggregateLines(aggregate);
            // Lines in one and not the other, both ways: a missing, extra or different group counts.
            var mismatches = expected.Except(actual, StringComparer.Ordinal).Count() + actual.Except(expected, StringComparer.Ordinal).Count();
            return new TrialCheck(rows, distinct, idSum, expected.Count, mismatches);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<string>> DownloadAsync(BlobDeltaStore store, string folder, string prefix)
    {
        var snapshot = await DeltaLog.ReadSnapshotAsync(store);
        var files = new List<string>();
        foreach (var add in snapshot?.ActiveFiles.Values ?? [])
        {
            var local = Path.Combine(folder, $"{prefix}-{files.Count}.parquet");
            await store.Container.GetBlobClient(store.TableRoot + add.StoragePath).DownloadToAsync(local);
            files.Add(local);
        }

        return files;
    }
}
