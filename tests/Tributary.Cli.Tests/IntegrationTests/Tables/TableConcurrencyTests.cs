using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests.Tables;

/// <summary>Runs' table commits racing on Azurite: the commit rule through the real committer and blob store.</summary>
public sealed class TableConcurrencyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Sixteen_runs_committing_at_once_give_contiguous_versions_and_lose_or_duplicate_no_add()
    {
        var service = new BlobServiceClient(azurite.ConnectionString);
        await service.GetBlobContainerClient(BlobContainers.Curated).CreateIfNotExistsAsync();
        var schema = new DeltaSchema(new DeltaField("trip_id", DeltaTypes.Long));
        var modified = DateTimeOffset.UtcNow;

        var commits = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            // One store per committer, as separate hosts would have.
            var store = new DatasetTables(new BlobStore(service)).Curated("race");
            var input = new BlobReference(BlobContainers.Incoming, $"race/{i}.csv", $"e{i}", 10, modified);
            var request = new CommitTableRequest($"run-{i}", "race", null, [input], [new(0, input, 100, null), new(1, input, 100, null)]);
            return await DeltaCommitter.CommitAsync(store, request.RunId, s => TableCommitPlanner.Plan(s, request, schema, DateTimeOffset.UtcNow).Plan);
        })));

        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), commits.Select(c => c.Version).Order());
        var snapshot = (await DeltaLog.ReadSnapshotAsync(new DatasetTables(new BlobStore(service)).Curated("race")))!;
        Assert.Equal(15, snapshot.Version);
        Assert.Equal(32, snapshot.ActiveFiles.Count);
        Assert.Equal(Enumerable.Range(0, 16).SelectMany(i => new[] { $"run=run-{i}/part-00000.parquet", $"run=run-{i}/part-00001.parquet" }).Order(StringComparer.Ordinal),
            snapshot.ActiveFiles.Values.Select(a => a.StoragePath).Order(StringComparer.Ordinal));
        Assert.Equal(16, snapshot.Transactions.Count);
        Assert.True(commits.Sum(c => c.Conflicts) > 0, "the commits did not race");
    }
}
