using Azure.Storage.Blobs;
using Tributary.Cli.Commands;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>The runs listing shows ingest runs and backfills together, in id order, paged, with their kind.</summary>
public sealed class RunListingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Runs_and_backfills_page_together_in_id_order_with_their_kind_and_live_status()
    {
        var store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        await store.EnsureContainersAsync();
        foreach (var id in new[] { "taxi-aaa", "taxi-ccc", "taxi-eee", "other-zzz" })
        {
            var request = new IngestRequest(id, id.Split('-')[0], [new BlobReference("incoming", $"{id}.csv", "\"0x1\"", 1)]);
            await store.UploadJsonAsync(BlobContainers.State, StorageLayout.IntakeClaim(id), new IntakeClaim(id, request, DateTimeOffset.UtcNow));
        }

        foreach (var id in new[] { "backfill-taxi-001", "backfill-taxi-002" })
        {
            await store.UploadJsonAsync(BlobContainers.State, StorageLayout.BackfillRecord(id), new BackfillRecord(id, "taxi", new BackfillRequest("taxi"), DateTimeOffset.UtcNow));
        }

        var catalog = new RunCatalog(store);
        Task<RunStatus?> Live(string runId, string kind, CancellationToken _) => Task.FromResult<RunStatus?>(runId == "backfill-taxi-002" ? RunStatus.Running : null);

        var seen = new List<RunSummary>();
        string? continuation = null;
        do
        {
            var (page, next) = await catalog.ListPageAsync("taxi", null, 2, continuation, Live);
            Assert.True(page.Count <= 2);
            seen.AddRange(page);
            continuation = next;
        }
        while (continuation is not null);

        Assert.Equal(["backfill-taxi-001", "backfill-taxi-002", "taxi-aaa", "taxi-ccc", "taxi-eee"], seen.Select(r => r.RunId));
        Assert.Equal([RunKinds.Backfill, RunKinds.Backfill, RunKinds.Ingest, RunKinds.Ingest, RunKinds.Ingest], seen.Select(r => r.Kind));
        Assert.Equal([RunStatus.Pending, RunStatus.Running, RunStatus.Running, RunStatus.Running, RunStatus.Running], seen.Select(r => r.Status));

        var (running, _) = await catalog.ListPageAsync(null, RunStatus.Pending, 50, null, Live);
        Assert.Equal(["backfill-taxi-001"], running.Select(r => r.RunId));

        // Tokens of the earlier format ("intake/{id}.json") still resume where they stopped.
        var (after, _) = await catalog.ListPageAsync("taxi", null, 50, ContinuationToken.Encode("intake/taxi-aaa.json"), Live);
        Assert.Equal(["taxi-ccc", "taxi-eee"], after.Select(r => r.RunId));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("./a")]
    public void Get_refuses_names_that_would_leave_the_folder(string name) => Assert.NotNull(GetCommand.UnsafeProblem(name));

    [Fact]
    public void Get_accepts_blob_paths_below_the_folder() => Assert.Null(GetCommand.UnsafeProblem("results/taxi/run=x/_manifest.json"));
}
