using Azure.Storage.Blobs;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Processing;

/// <summary>A run's chunk results kept beside it on a real Azurite, and read back into its manifest.</summary>
public sealed class ChunkResultFilesTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly BlobReference Input = new(BlobContainers.Incoming, "taxi/a.csv", "etag", 10);

    [Fact]
    public async Task Results_kept_by_several_activities_read_back_in_chunk_order_and_a_retried_activity_replaces_its_own()
    {
        var (files, runId) = await StartAsync();
        var late = await files.SaveAsync("taxi", runId, [Result(3), Result(4, quarantined: true)]);
        var first = await files.SaveAsync("taxi", runId, [Result(0, rows: 1), Result(1), Result(2)]);
        // The first activity redelivered: the same path, its new results in place of the old.
        var retried = await files.SaveAsync("taxi", runId, [Result(0), Result(1), Result(2)]);

        Assert.Equal(first.Path, retried.Path);
        Assert.Equal($"{BlobContainers.Results}/taxi/run={runId}/_chunks/00003.json", late.Path);
        Assert.Equal((2, 100, 90, 10), (late.Chunks, late.RowsRead, late.RowsCurated, late.RowsRejected));
        Assert.Equal("not a CSV", Assert.Single(late.Quarantined).Reason);

        var read = await files.ReadAsync([late.Path, retried.Path]);
        Assert.Equal([0, 1, 2, 3, 4], read.Select(r => r.Index));
        Assert.Equal(100, read[0].RowsRead);
        Assert.Equal(Result(3).CuratedStats, read[3].CuratedStats);
    }

    [Fact]
    public async Task A_drafted_manifest_gets_its_chunks_and_their_parts_ahead_of_its_own_outputs_and_a_complete_one_stays_as_it_is()
    {
        var (files, runId) = await StartAsync();
        var stored = new[] { await files.SaveAsync("taxi", runId, [Result(2)]), await files.SaveAsync("taxi", runId, [Result(0), Result(1, quarantined: true)]) };
        var draft = new RunManifest(runId, "taxi", RunStatus.Succeeded, null, [Input], [], [], RunTotals.Of(stored, 0), null, ["results/taxi/aggregate/"],
            new RunTimings(DateTime.UnixEpoch, null, null, DateTime.UnixEpoch), null, ChunkResults: stored.Select(s => s.Path).ToList());

        var manifest = await files.CompleteAsync(draft);

        Assert.Null(manifest.ChunkResults);
        Assert.Equal([0, 1, 2], manifest.Chunks.Select(c => c.Index));
        Assert.Equal(["curated/p0", "curated/p2", "rejected/p0", "rejected/p1", "rejected/p2", "results/taxi/aggregate/"], manifest.Outputs);
        Assert.Equal(new RunTotals(200, 180, 20, 0), manifest.Totals);
        Assert.Same(manifest, await files.CompleteAsync(manifest));
        Assert.DoesNotContain("chunkResults", System.Text.Json.JsonSerializer.Serialize(manifest, BlobStore.Json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_results_file_is_an_error_that_names_it_not_a_run_with_fewer_chunks()
    {
        var (files, runId) = await StartAsync();
        var kept = await files.SaveAsync("taxi", runId, [Result(0)]);
        var missing = $"{BlobContainers.Results}/{StorageLayout.ChunkResults("taxi", runId, 5)}";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => files.ReadAsync([kept.Path, missing]));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    private async Task<(ChunkResultFiles Files, string RunId)> StartAsync()
    {
        var store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        await store.EnsureContainersAsync();
        return (new ChunkResultFiles(store), $"taxi-results-{Guid.NewGuid():N}");
    }

    private static ChunkResult Result(int index, long rows = 100, bool quarantined = false) => quarantined
        ? new ChunkResult(index, Input, null, null, 0, 0, 0, null, $"rejected/p{index}", 0.1, "not a CSV")
        : new ChunkResult(index, Input, index * 10L, 10, rows, rows - 10, 10, $"curated/p{index}", $"rejected/p{index}", 0.1,
            CuratedBytes: 4096, CuratedStats: $$$"""{"numRecords":{{{rows - 10}}},"minValues":{"trip_id":{{{index}}}}}""");
}
