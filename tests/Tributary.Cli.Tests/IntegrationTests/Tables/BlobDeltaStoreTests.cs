using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests.Tables;

/// <summary>The Delta log on real blob storage (Azurite): put-if-absent really refuses the second writer.</summary>
public sealed class BlobDeltaStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DeltaSchema Schema = new(new DeltaField("id", DeltaTypes.Long, Nullable: false));

    [Fact]
    public async Task Create_if_absent_refuses_the_second_writer_and_the_listing_is_relative_and_ordered()
    {
        var store = await NewStoreAsync();
        Assert.True(await store.CreateIfAbsentAsync("_delta_log/00000000000000000000.json", BinaryData.FromString("first\n")));
        Assert.False(await store.CreateIfAbsentAsync("_delta_log/00000000000000000000.json", BinaryData.FromString("second\n")));
        Assert.Equal("first\n", (await store.ReadAsync("_delta_log/00000000000000000000.json"))!.ToString());
        Assert.Null(await store.ReadAsync("_delta_log/00000000000000000001.json"));

        await store.WriteAsync("_delta_log/_last_checkpoint", BinaryData.FromString("{}"));
        await store.WriteAsync("_delta_log/_last_checkpoint", BinaryData.FromString("{\"version\":0,\"size\":1}"));
        await store.WriteAsync("run=1/part 0.parquet", BinaryData.FromString("x"));

        var listing = new List<DeltaStoreEntry>();
        await foreach (var entry in store.ListAsync(string.Empty))
        {
            listing.Add(entry);
        }

        Assert.Equal(["_delta_log/00000000000000000000.json", "_delta_log/_last_checkpoint", "run=1/part 0.parquet"], listing.Select(e => e.Path));
        Assert.Equal(6, listing[0].Size);
        Assert.InRange(listing[0].LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        await store.DeleteAsync("run=1/part 0.parquet");
        await store.DeleteAsync("run=1/part 0.parquet");
        Assert.Null(await store.ReadAsync("run=1/part 0.parquet"));
    }

    [Fact]
    public async Task Sixteen_concurrent_committers_on_blob_storage_give_contiguous_versions()
    {
        var store = await NewStoreAsync();
        await DeltaCommitter.CommitAsync(store, "create", _ => DeltaCommitPlan.CreateTable(DeltaMetadata.Create(Schema)), DeltaCommitOptions.Default, CancellationToken.None);

        using var start = new SemaphoreSlim(0);
        var committers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            var add = DeltaAdd.ForFile($"run={i}/part-0.parquet", 100 + i, DateTimeOffset.UtcNow, DeltaFileStats.RecordsOnly(i));
            return await DeltaCommitter.CommitAsync(store, $"run-{i}", _ => new DeltaCommitPlan([add], []), DeltaCommitOptions.Default with { MaxAttempts = 40 }, CancellationToken.None);
        })).ToList();
        start.Release(16);
        var results = await Task.WhenAll(committers);

        Assert.Equal(Enumerable.Range(1, 16).Select(v => (long)v), results.Select(r => r.Version).Order());
        Assert.True(results.Sum(r => r.Conflicts) > 0, "16 racing writers should have lost some races.");

        // A fresh store instance reads through the checkpoint written at version 10, from blob storage.
        var snapshot = (await DeltaLog.ReadSnapshotAsync(new BlobDeltaStore(store.Container, store.TableRoot)))!;
        Assert.Equal(16, snapshot.Version);
        Assert.Equal(10, snapshot.CheckpointVersion);
        Assert.Equal(16, snapshot.ActiveFiles.Count);
        Assert.Equal(Enumerable.Range(0, 16).Sum(), snapshot.TotalRecords);

        // A replay of any run finds its own commit.
        var replay = await DeltaCommitter.CommitAsync(store, "run-7", _ => throw new InvalidOperationException("must not plan"), DeltaCommitOptions.Default, CancellationToken.None);
        Assert.True(replay.AlreadyCommitted);
        Assert.Equal(results[7].Version, replay.Version);
    }

    private async Task<BlobDeltaStore> NewStoreAsync()
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("curated");
        await container.CreateIfNotExistsAsync();
        return new BlobDeltaStore(container, $"delta-{Guid.NewGuid():N}/");
    }
}
