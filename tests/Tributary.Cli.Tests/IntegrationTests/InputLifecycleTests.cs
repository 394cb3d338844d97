using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// input.afterCommit on a real host and Azurite: a processed input leaves incoming for the archive (the manifest names
/// both places), a newer upload under the same name is never deleted and gets its own run, a rerun reads the archived
/// copy, and <c>keep</c> keeps.
/// </summary>
public sealed class InputLifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-lifecycle-").FullName;
    private readonly BlobServiceClient service = new(azurite.ConnectionString);

    [Fact]
    public async Task A_processed_input_leaves_incoming_for_the_archive_and_a_rerun_reads_the_archived_copy()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var (name, file, uploaded) = await UploadAsync("taxi/archive/trips.csv", seed: 11);
        var uploadedAt = (await Incoming(name).GetPropertiesAsync()).Value.LastModified;
        var outcome = await host.Services.GetRequiredService<RunIntake>().SubmitBlobAsync(name, uploaded.ETag.ToString(), new FileInfo(file).Length);
        var manifest = await RunWaiter.WaitAsync(host.Client, outcome.RunId, TimeSpan.FromMinutes(2));

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        var entry = Assert.Single(manifest.InputsAfterCommit!);
        Assert.Equal(InputLifecycle.Archive, entry.Action);
        Assert.Equal((BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"')), (entry.Input.Container, entry.Input.Name, entry.Input.ETag.Trim('"')));
        var archivedName = StorageLayout.ArchivedInput(name, uploaded.ETag.ToString());
        Assert.Equal($"{BlobContainers.Archive}/{archivedName}", entry.ArchivedAs);

        // The committed manifest (not only the orchestration's output) names both places.
        var committed = await host.Services.GetRequiredService<RunCatalog>().ReadManifestAsync("taxi", outcome.RunId);
        Assert.Equal(entry, Assert.Single(committed!.InputsAfterCommit!));

        Assert.False((await Incoming(name).ExistsAsync()).Value, "the processed input left incoming");
        var archived = (await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(archivedName).GetPropertiesAsync()).Value;
        Assert.Equal(new FileInfo(file).Length, archived.ContentLength);
        Assert.Equal(uploaded.ETag.ToString().Trim('"'), archived.Metadata[InputArchiver.SourceETagKey]);
        Assert.Equal(uploadedAt, DateTimeOffset.Parse(archived.Metadata[InputArchiver.SourceModifiedKey], System.Globalization.CultureInfo.InvariantCulture));
        var archivedBytes = (await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(archivedName).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(await File.ReadAllBytesAsync(file), archivedBytes);

        // A rerun reads the archived copy; the input keeps its identity, so the table still holds one version of it.
        var api = host.Services.GetRequiredService<IRunsApi>();
        var accepted = await api.RerunAsync(outcome.RunId);
        var rerun = await RunWaiter.WaitAsync(host.Client, accepted.Value!.RunId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, rerun.Status);
        Assert.Equal(manifest.Totals, rerun.Totals);
        var input = Assert.Single(rerun.Inputs);
        Assert.Equal(archivedName, input.Archived);
        Assert.Equal((name, uploaded.ETag.ToString().Trim('"')), (input.Name, input.ETag.Trim('"')));
        Assert.Empty(rerun.InputsAfterCommit!);
        Assert.True((await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(archivedName).ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_newer_upload_under_the_same_name_is_not_deleted_and_gets_its_own_run()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var archiver = host.Services.GetRequiredService<InputArchiver>();
        var intake = host.Services.GetRequiredService<RunIntake>();

        // v1 was processed and copied to the archive; then v2 lands under the same name before v1 leaves incoming.
        var (name, file, v1) = await UploadAsync("taxi/overwrite/trips.csv", seed: 12);
        var v1Ref = new BlobReference(BlobContainers.Incoming, name, v1.ETag.ToString(), new FileInfo(file).Length);
        var v1Entry = new InputAfterCommit(v1Ref, InputLifecycle.Archive, $"{BlobContainers.Archive}/{StorageLayout.ArchivedInput(name, v1Ref.ETag)}");
        Assert.True(await archiver.CopyAsync(v1Entry));
        var (_, file2, v2) = await UploadAsync(name, seed: 13, rows: 700);

        // Deleting v1 is conditional on its ETag: v2 stays. A whole move of v1 now reports the replacement.
        Assert.False(await archiver.DeleteSourceAsync(v1Ref));
        Assert.Equal(InputMove.Replaced, await archiver.MoveAsync(v1Entry));
        Assert.Equal(v2.ETag, (await Incoming(name).GetPropertiesAsync()).Value.ETag);
        Assert.True((await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(StorageLayout.ArchivedInput(name, v1Ref.ETag)).ExistsAsync()).Value);

        // v2 gets its own run, which archives v2 under its own name.
        var outcome = await intake.SubmitBlobAsync(name, v2.ETag.ToString(), new FileInfo(file2).Length);
        Assert.Equal(IntakeDecision.Started, outcome.Decision);
        var manifest = await RunWaiter.WaitAsync(host.Client, outcome.RunId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(700, manifest.Totals.RowsRead);
        Assert.False((await Incoming(name).ExistsAsync()).Value);
        Assert.True((await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(StorageLayout.ArchivedInput(name, v2.ETag.ToString())).ExistsAsync()).Value);

        // The same move again (a retry after a crash between the manifest and the move) is harmless.
        Assert.Equal(InputMove.Archived, await archiver.MoveAsync(manifest.InputsAfterCommit!.Single()));
    }

    [Fact]
    public async Task A_version_replaced_before_it_was_copied_is_not_archived_with_the_newer_bytes()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var archiver = host.Services.GetRequiredService<InputArchiver>();

        // v1 was processed, but v2 replaced it before v1's run reached the archive step.
        var (name, file, v1) = await UploadAsync("taxi/replaced-early/trips.csv", seed: 17);
        var uploadedAt = (await Incoming(name).GetPropertiesAsync()).Value.LastModified;
        var v1Ref = new BlobReference(BlobContainers.Incoming, name, v1.ETag.ToString(), new FileInfo(file).Length);
        var archivedName = StorageLayout.ArchivedInput(name, v1Ref.ETag);
        var (_, _, v2) = await UploadAsync(name, seed: 18, rows: 700);

        // Once without and once with the upload time in the reference: with it, the copy itself must refuse.
        foreach (var reference in new[] { v1Ref, v1Ref with { LastModified = uploadedAt } })
        {
            Assert.Equal(InputMove.Replaced, await archiver.MoveAsync(new InputAfterCommit(reference, InputLifecycle.Archive, $"{BlobContainers.Archive}/{archivedName}")));
        }

        Assert.False((await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(archivedName).ExistsAsync()).Value, "no archive copy under v1's name holds v2's bytes");
        Assert.Equal(v2.ETag, (await Incoming(name).GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task A_blob_whose_name_has_dot_segments_is_quarantined_and_still_leaves_incoming_for_the_archive()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var intake = host.Services.GetRequiredService<RunIntake>();

        // Uploaded with backslashes as a user's tool might; storage lists it with '/', i.e. with '..' segments.
        var escape = $"escape-{Guid.NewGuid():N}.csv";
        var (_, file, uploaded) = await UploadAsync($@"taxi/hostile/..\..\{escape}", seed: 14, rows: 50);
        var listed = $"taxi/hostile/../../{escape}";
        Assert.Contains(listed, await ListIncomingAsync());

        var outcome = await intake.SubmitBlobAsync(listed, uploaded.ETag.ToString(), new FileInfo(file).Length);
        var manifest = await RunWaiter.WaitAsync(host.Client, outcome.RunId, TimeSpan.FromMinutes(2));

        Assert.Contains("'..' path segment", Assert.Single(manifest.QuarantinedFiles).Reason);
        await WaitUntilAsync(async () => !(await ListIncomingAsync()).Contains(listed));
        var archived = new List<string>();
        await foreach (var blob in service.GetBlobContainerClient(BlobContainers.Archive).GetBlobsAsync(BlobTraits.None, BlobStates.None, "taxi/hostile/../../", CancellationToken.None))
        {
            archived.Add(blob.Name);
        }

        Assert.Equal([StorageLayout.ArchivedInput(listed, uploaded.ETag.ToString())], archived);
    }

    private async Task<List<string>> ListIncomingAsync()
    {
        var names = new List<string>();
        await foreach (var blob in service.GetBlobContainerClient(BlobContainers.Incoming).GetBlobsAsync(BlobTraits.None, BlobStates.None, "taxi/hostile/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 120 && !await condition(); i++)
        {
            await Task.Delay(250);
        }

        Assert.True(await condition(), "the input was still in incoming 30 s after its run");
    }

    [Fact]
    public async Task Keep_leaves_the_input_in_incoming()
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        var definition = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"))
            .Replace("\"encoding\": \"utf-8\"", "\"encoding\": \"utf-8\", \"afterCommit\": \"keep\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(datasets, "taxi.json"), definition);
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?> { ["Tributary:DatasetsPath"] = datasets });
        await using var host = await TestHosts.StartAsync(configuration, watch: false);

        var (name, file, uploaded) = await UploadAsync("taxi/keep/trips.csv", seed: 14);
        var outcome = await host.Services.GetRequiredService<RunIntake>().SubmitBlobAsync(name, uploaded.ETag.ToString(), new FileInfo(file).Length);
        var manifest = await RunWaiter.WaitAsync(host.Client, outcome.RunId, TimeSpan.FromMinutes(2));

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        var entry = Assert.Single(manifest.InputsAfterCommit!);
        Assert.Equal(InputLifecycle.Keep, entry.Action);
        Assert.Null(entry.ArchivedAs);
        Assert.Equal(uploaded.ETag, (await Incoming(name).GetPropertiesAsync()).Value.ETag);
        Assert.False((await service.GetBlobContainerClient(BlobContainers.Archive).GetBlobClient(StorageLayout.ArchivedInput(name, uploaded.ETag.ToString())).ExistsAsync()).Value);
    }

    [Fact]
    public async Task After_a_restart_the_watcher_lists_only_the_backlog_and_restarts_no_finished_run()
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        var (first, _, v1) = await UploadAsync("taxi/restart/one.csv", seed: 15, rows: 200);
        var firstRun = RunIds.ForBlob("taxi", first, v1.ETag.ToString());
        DateTimeOffset created;
        await using (var host = await TestHosts.StartAsync(configuration))
        {
            await RunWaiter.WaitAsync(host.Client, firstRun, TimeSpan.FromMinutes(2));
            created = (await host.Client.GetInstanceAsync(firstRun))!.CreatedAt;
        }

        // While no host runs, one new file lands: incoming holds exactly that backlog.
        var (second, _, v2) = await UploadAsync("taxi/restart/two.csv", seed: 16, rows: 300);
        var backlog = new List<string>();
        await foreach (var blob in service.GetBlobContainerClient(BlobContainers.Incoming).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "taxi/restart/", CancellationToken.None))
        {
            backlog.Add(blob.Name);
        }

        Assert.Equal([second], backlog);
        await using (var host = await TestHosts.StartAsync(configuration))
        {
            var manifest = await RunWaiter.WaitAsync(host.Client, RunIds.ForBlob("taxi", second, v2.ETag.ToString()), TimeSpan.FromMinutes(2));
            Assert.Equal(300, manifest.Totals.RowsRead);
            Assert.Equal(created, (await host.Client.GetInstanceAsync(firstRun))!.CreatedAt);
        }
    }

    private BlobClient Incoming(string name) => service.GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name);

    private async Task<(string Name, string File, Azure.Storage.Blobs.Models.BlobContentInfo Uploaded)> UploadAsync(string name, int seed, int rows = 1000)
    {
        var file = Path.Combine(work, $"{seed}.csv");
        SampleDataSet.WriteFile(file, "csv", rows, seed, firstTripId: 1);
        await service.GetBlobContainerClient(BlobContainers.Incoming).CreateIfNotExistsAsync();
        var uploaded = (await Incoming(name).UploadAsync(file, overwrite: true)).Value;
        return (name, file, uploaded);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
