using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>
/// A backfill over the archive (Archived = true) on a real Azurite: inputs that left incoming through the real
/// InputArchiver are listed from archive/{dataset}/…, keep their identity (incoming name + ETag, so the claims of their
/// first runs make a plain backfill skip them, as any backfill), and a forced one schedules runs that read the archived
/// copies with the versions' original upload times.
/// </summary>
public sealed class BackfillArchivedTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Reprocesses_archived_versions_once_inputs_left_incoming_and_skips_them_unless_forced()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("archived");
        var incoming = core.Store.Container(BlobContainers.Incoming);
        var archiver = new InputArchiver(core.Store, NullLogger<InputArchiver>.Instance);
        var versions = new List<BlobReference>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"{dataset}/2026/{i}.csv";
            await incoming.GetBlobClient(name).UploadAsync(BinaryData.FromString($"id\n{i}\n"));
            var properties = (await incoming.GetBlobClient(name).GetPropertiesAsync()).Value;
            var version = new BlobReference(BlobContainers.Incoming, name, properties.ETag.ToString().Trim('"'), properties.ContentLength, properties.LastModified);
            versions.Add(version);
            Assert.Equal(IntakeDecision.Started, (await core.Intake().SubmitBlobAsync(name, version.ETag, version.Size)).Decision);
        }

        // Two leave incoming through the archiver; the third as a copy archived before the upload time was recorded on
        // it, whose first run's manifest says when it was uploaded.
        foreach (var version in versions.Take(2))
        {
            var archivedAs = $"{BlobContainers.Archive}/{StorageLayout.ArchivedInput(version.Name, version.ETag)}";
            Assert.Equal(InputMove.Archived, await archiver.MoveAsync(new InputAfterCommit(version, InputLifecycle.Archive, archivedAs)));
        }

        var old = versions[2];
        await core.Store.CopyAsync(old, BlobContainers.Archive, StorageLayout.ArchivedInput(old.Name, old.ETag));
        await incoming.DeleteBlobAsync(old.Name);
        var oldOwner = (await core.Versions.ReadAsync(dataset, old))!.Owner!;
        await core.Store.UploadJsonAsync(BlobContainers.Results, StorageLayout.Manifest(dataset, oldOwner), CoreHost.StubManifest(new IngestRequest(oldOwner, dataset, [old]), DateTime.UtcNow));
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // so an archive copy's own time is later than any upload time
        Assert.Empty(await ListAsync(incoming, $"{dataset}/"));

        // Processed already: an archived backfill finds them all and skips them, as a backfill of incoming would.
        var plain = await BackfillAsync(core, dataset, force: false);
        Assert.Equal((3, 3, 0, 0), (plain.Listed, plain.Skipped, plain.Scheduled, plain.Runs));
        Assert.Equal(0, (await BackfillAsync(core, dataset, force: false, archived: false)).Listed);

        var forced = await BackfillAsync(core, dataset, force: true);
        Assert.Equal((3, 0, 3, 3, 0), (forced.Listed, forced.Skipped, forced.Scheduled, forced.Done, forced.Failed));
        foreach (var version in versions)
        {
            var owner = (await core.Versions.ReadAsync(dataset, version))!.Owner!;
            Assert.StartsWith($"{dataset}-bf", owner, StringComparison.Ordinal);
            var claim = (await core.Store.ReadJsonAsync<IntakeClaim>(BlobContainers.State, StorageLayout.IntakeClaim(owner)))!;
            var input = Assert.Single(claim.Request.Inputs);
            Assert.Equal(
                (BlobContainers.Incoming, version.Name, version.ETag, StorageLayout.ArchivedInput(version.Name, version.ETag)),
                (input.Container, input.Name, input.ETag, input.Archived));
            // The version's upload time, not the archive copy's: "newest input version wins" compares these.
            Assert.Equal(version.LastModified, input.LastModified);
            using var reader = new StreamReader(await core.Store.OpenReadAsync(input));
            Assert.Equal($"id\n{versions.IndexOf(version)}\n", await reader.ReadToEndAsync());
        }

        // A prefix selects within the archive as within incoming.
        var one = await BackfillAsync(core, dataset, force: true, prefix: "2026/1");
        Assert.Equal((1, 1), (one.Listed, one.Scheduled));
    }

    private static async Task<List<string>> ListAsync(Azure.Storage.Blobs.BlobContainerClient container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static async Task<BackfillProgress> BackfillAsync(CoreHost core, string dataset, bool force, bool archived = true, string? prefix = null)
    {
        var id = $"backfill-{dataset}-{Guid.NewGuid().ToString("N")[..6]}";
        var state = new BackfillState(
            id, new BackfillRequest(dataset, prefix, Force: force, Archived: archived), BatchSize: 1, MaxParallel: 2, PageSize: 2, PagesPerGeneration: 1, MaxChunksInFlight: 2,
            Continuation: null, Page: 0, Generation: 0, new BackfillProgress(id, dataset, "Pending"));
        await core.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BackfillOrchestrator), state, new StartOrchestrationOptions(id));
        var metadata = await core.WaitAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<BackfillProgress>()!;
    }
}
