using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>
/// The backfill orchestrator with its real listing activity on a real Azurite, over stand-in ingest runs: it pages
/// through the listing, skips processed versions unless forced, and continues as new across generations.
/// </summary>
public sealed class BackfillOrchestratorTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Pages_through_the_listing_across_generations_and_skips_processed_versions_unless_forced()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("backfill");
        var container = core.Store.Container(BlobContainers.Incoming);
        var etags = new Dictionary<string, string>();
        for (var i = 0; i < 5; i++)
        {
            var name = $"{dataset}/{i}.csv";
            var uploaded = await container.GetBlobClient(name).UploadAsync(BinaryData.FromString("id\n1\n"));
            etags[name] = uploaded.Value.ETag.ToString().Trim('"');
        }

        // One version was taken in by per-blob intake already.
        var taken = await core.Intake().SubmitBlobAsync($"{dataset}/0.csv", etags[$"{dataset}/0.csv"], 5);
        Assert.Equal(IntakeDecision.Started, taken.Decision);

        var first = await BackfillAsync(core, dataset, force: false);
        Assert.Equal(BackfillProgress.Completed, first.Phase);
        Assert.Equal(2, first.Generation);
        Assert.Equal(3, first.Pages);
        Assert.Equal((5, 1, 4, 4, 0, 4), (first.Listed, first.Skipped, first.Scheduled, first.Done, first.Failed, first.Runs));
        Assert.Equal(taken.RunId, (await core.Versions.ReadAsync(dataset, Version(dataset, "0.csv", etags)))!.Owner);
        var owners = new List<string?>();
        for (var i = 1; i < 5; i++)
        {
            owners.Add((await core.Versions.ReadAsync(dataset, Version(dataset, $"{i}.csv", etags)))!.Owner);
        }

        Assert.All(owners, owner => Assert.StartsWith($"{dataset}-bf", owner ?? "", StringComparison.Ordinal));
        Assert.Equal(4, owners.Distinct().Count());

        var again = await BackfillAsync(core, dataset, force: false);
        Assert.Equal((5, 5, 0, 0), (again.Listed, again.Skipped, again.Scheduled, again.Runs));

        var forced = await BackfillAsync(core, dataset, force: true);
        Assert.Equal((5, 0, 5, 5, 5), (forced.Listed, forced.Skipped, forced.Scheduled, forced.Done, forced.Runs));
        Assert.Equal(2, forced.Generation);
    }

    private static BlobReference Version(string dataset, string file, Dictionary<string, string> etags) =>
        new(BlobContainers.Incoming, $"{dataset}/{file}", etags[$"{dataset}/{file}"], 5);

    /// <summary>Pages of 2 blobs, one page per generation, one blob per run: 5 blobs take 3 generations.</summary>
    private static async Task<BackfillProgress> BackfillAsync(CoreHost core, string dataset, bool force)
    {
        var id = $"backfill-{dataset}-{Guid.NewGuid().ToString("N")[..6]}";
        var state = new BackfillState(
            id, new BackfillRequest(dataset, Force: force), BatchSize: 1, MaxParallel: 2, PageSize: 2, PagesPerGeneration: 1, MaxChunksInFlight: 2,
            Continuation: null, Page: 0, Generation: 0, new BackfillProgress(id, dataset, "Pending"));
        await core.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BackfillOrchestrator), state, new StartOrchestrationOptions(id));
        var metadata = await core.WaitAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<BackfillProgress>()!;
    }
}
