using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests.Tables;

/// <summary>Reads a dataset's curated table the way a consumer would: active files from the Delta log, downloaded, counted with DuckDB.</summary>
public static class TableHarness
{
    public static async Task<(DeltaSnapshot? Snapshot, (long Rows, long DistinctIds, long IdSum) Ids)> ReadAsync(string connectionString, string dataset, string work)
    {
        var tables = new DatasetTables(new BlobStore(new BlobServiceClient(connectionString)));
        var store = tables.Curated(dataset);
        var snapshot = await DeltaLog.ReadSnapshotAsync(store);
        var files = new List<string>();
        foreach (var add in snapshot?.ActiveFiles.Values ?? [])
        {
            var local = Path.Combine(work, $"active-{Guid.NewGuid():N}.parquet");
            await store.Container.GetBlobClient(store.TableRoot + add.StoragePath).DownloadToAsync(local);
            files.Add(local);
        }

        return (snapshot, TaxiOracle.ParquetIds(files));
    }
}
