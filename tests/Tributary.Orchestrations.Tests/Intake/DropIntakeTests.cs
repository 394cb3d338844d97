using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>
/// Drops on a real Azurite with the in-memory engine: a drop's manifest seals its files into runs at once, and each
/// version still lands in exactly one run whichever path (watcher, BlobCreated event, sweep, a window) sees it first.
/// </summary>
public sealed class DropIntakeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_drop_is_sealed_into_runs_of_at_most_maxFiles_once_however_often_it_is_seen()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("drop");
        core.WriteDataset(dataset, """{ "maxFiles": 2, "maxSeconds": 3600 }""");
        var files = Files(dataset, 5);
        var manifest = await WriteManifestAsync(core, dataset, "d1", files);

        var seal = await core.Intake().SealDropAsync(manifest);

        Assert.Equal([RunIds.ForDrop(dataset, "d1", 0), RunIds.ForDrop(dataset, "d1", 1), RunIds.ForDrop(dataset, "d1", 2)], seal.Runs.Select(r => r.RunId));
        Assert.All(seal.Runs, r => Assert.Equal(IntakeDecision.Started, r.Decision));
        var inputs = new List<BlobReference>();
        var sizes = new List<int>();
        foreach (var run in seal.Runs)
        {
            var metadata = await core.WaitAsync(run.RunId);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
            inputs.AddRange(metadata.ReadOutputAs<RunManifest>()!.Inputs);
            sizes.Add(metadata.ReadOutputAs<RunManifest>()!.Inputs.Count);
        }

        Assert.Equal([2, 2, 1], sizes);
        Assert.Equal(files.Select(f => f.Name), inputs.Select(i => i.Name));
        Assert.False(await core.Store.Blob(BlobContainers.Incoming, manifest).ExistsAsync());

        // The same manifest again (a second host, a replayed event) starts nothing new; so does each file on its own.
        await WriteManifestAsync(core, dataset, "d1", files);
        var again = await core.Intake().SubmitBlobAsync(manifest, "0x9", 100);
        Assert.Equal(IntakeDecision.AlreadyStarted, again.Decision);
        foreach (var file in files)
        {
            var outcome = await core.Intake().SubmitBlobAsync(file.Name, file.ETag, file.Size);
            Assert.Equal(IntakeDecision.AlreadyStarted, outcome.Decision);
            Assert.Contains(outcome.RunId, seal.Runs.Select(r => r.RunId));
        }
    }

    [Fact]
    public async Task Last_modified_times_the_caller_listed_are_carried_into_the_run_for_exactly_those_versions()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("drop");
        core.WriteDataset(dataset);
        var files = Files(dataset, 3);
        var manifest = await WriteManifestAsync(core, dataset, "d4", files);
        var listedAt = new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.Zero);
        var landed = new Dictionary<(string Name, string ETag), DateTimeOffset>
        {
            [(files[0].Name, files[0].ETag)] = listedAt,
            [(files[1].Name, "0xanother")] = listedAt,
        };

        var seal = await core.Intake().SealDropAsync(manifest, landed);

        // Planning asks storage only for the others; another version of a name is not this version.
        var inputs = (await core.WaitAsync(Assert.Single(seal.Runs).RunId)).ReadOutputAs<RunManifest>()!.Inputs;
        Assert.Equal([listedAt, null, null], inputs.Select(i => i.LastModified));
    }

    [Fact]
    public async Task A_file_another_path_took_first_stays_in_its_run_and_the_drop_takes_the_rest()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("dropraced");
        core.WriteDataset(dataset);
        var files = Files(dataset, 3);

        // The BlobCreated event (or the sweep) of the first file came before the manifest: its own run.
        var early = await core.Intake().SubmitBlobAsync(files[0].Name, files[0].ETag, files[0].Size);
        Assert.Equal(IntakeDecision.Started, early.Decision);

        // Watcher and event path see the manifest at the same time.
        var manifest = await WriteManifestAsync(core, dataset, "d2", files);
        await Task.WhenAll(
            Task.Run(() => core.Intake().SealDropAsync(manifest)),
            Task.Run(() => core.Intake().SubmitBlobAsync(manifest, "0x1", 100)));

        var dropRun = RunIds.ForDrop(dataset, "d2", 0);
        var run = (await core.WaitAsync(dropRun)).ReadOutputAs<RunManifest>()!;
        Assert.Equal(files.Skip(1).Select(f => f.Name), run.Inputs.Select(i => i.Name));
        Assert.Equal(files[0].Name, Assert.Single((await core.WaitAsync(early.RunId)).ReadOutputAs<RunManifest>()!.Inputs).Name);

        // Late events and sweeps for every file: each names the one run that has it.
        var late = await Task.WhenAll(files.Select(f => core.Intake().SubmitBlobAsync(f.Name, f.ETag, f.Size)));
        Assert.Equal([early.RunId, dropRun, dropRun], late.Select(o => o.RunId));
        Assert.All(late, o => Assert.Equal(IntakeDecision.AlreadyStarted, o.Decision));
    }

    [Fact]
    public async Task Files_waiting_in_a_full_window_go_into_the_drop_run_and_the_window_then_seals_nothing()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("dropwindow");
        core.WriteDataset(dataset, """{ "maxFiles": 3, "maxSeconds": 3600 }""");
        var files = Files(dataset, 3);
        foreach (var file in files)
        {
            Assert.Equal(IntakeDecision.Queued, (await core.Intake().SubmitBlobAsync(file.Name, file.ETag, file.Size)).Decision);
        }

        var seal = await core.Intake().SealDropAsync(await WriteManifestAsync(core, dataset, "d3", files));

        var run = Assert.Single(seal.Runs);
        Assert.Equal(3, (await core.WaitAsync(run.RunId)).ReadOutputAs<RunManifest>()!.Inputs.Count);
        Assert.Empty(await core.Batcher().SealDueWindowsAsync(dataset));
        Assert.Empty(await core.Arrivals.ListPendingAsync(dataset));
    }

    private static List<BlobReference> Files(string dataset, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new BlobReference(BlobContainers.Incoming, $"{dataset}/f{i}.csv", $"0x{i + 1}", 100 + i))];

    private static async Task<string> WriteManifestAsync(CoreHost core, string dataset, string dropId, IReadOnlyList<BlobReference> files)
    {
        var name = StorageLayout.DropManifest(dataset, dropId);
        await core.Store.UploadJsonAsync(BlobContainers.Incoming, name, new DropManifest(dropId, dataset, files));
        return name;
    }
}
