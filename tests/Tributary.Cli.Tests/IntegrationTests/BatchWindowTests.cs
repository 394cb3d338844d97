using Tributary.Testing.Processes;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>Bursts of small files become a few runs; a host killed mid-burst loses and duplicates nothing.</summary>
[Collection(HeavyTests.Name)]
public sealed class BatchWindowTests(InMemoryAzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<InMemoryAzuriteFixture>, IDisposable
{
    private readonly string datasets = Directory.CreateTempSubdirectory("tributary-datasets-").FullName;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_burst_of_500_files_with_a_window_of_100_gives_5_runs_and_every_file_is_in_exactly_one_even_when_the_host_is_killed_mid_burst()
    {
        const int files = 500;
        WriteDataset("burst", """{ "maxFiles": 100, "maxSeconds": 300 }""");
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
        {
            ["Tributary:DatasetsPath"] = datasets,
            ["Tributary:Api:Port"] = "0",
            ["Tributary:MaxChunksInFlight"] = "32",
            ["Tributary:Engine:MaxConcurrentActivities"] = "24",
        });
        var environment = TestHosts.ChildEnvironment(configuration);

        var csv = Path.GetTempFileName();
        SampleDataSet.WriteFile(csv, "csv", 2, seed: 11, firstTripId: 1);
        var content = BinaryData.FromBytes(await File.ReadAllBytesAsync(csv));
        File.Delete(csv);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var incoming = blobs.GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var store = new BlobStore(blobs);
        var catalog = new RunCatalog(store);

        var clock = Stopwatch.StartNew();
        using (var first = await ServeChild.StartAsync(environment))
        {
            // First half of the burst; kill -9 once the first window has been sealed into a run.
            await UploadAsync(incoming, content, 0, files / 2);
            var deadline = DateTime.UtcNow.AddSeconds(180);
            while ((await catalog.ListAsync("burst")).Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no batch run was started:{Environment.NewLine}{first.Output}");
                await Task.Delay(100);
            }

            first.KillHard();
            output.WriteLine($"killed after {clock.Elapsed.TotalSeconds:F1}s with {(await catalog.ListAsync("burst")).Count} run(s) taken in");
        }

        await UploadAsync(incoming, content, files / 2, files);
        using var second = await ServeChild.StartAsync(environment);
        // Generous: each run now also commits its table, refreshes the aggregate and archives 100 inputs, and the host is
        // killed once mid-burst (recovery waits for the 30 s visibility timeout).
        var runs = await WaitForAllAsync(catalog, files, TimeSpan.FromMinutes(8), second);
        output.WriteLine($"{files} files in {runs.Count} run(s), all committed after {clock.Elapsed.TotalSeconds:F1}s");

        Assert.InRange(runs.Count, 1, 5);
        var inputs = new List<string>();
        foreach (var run in runs)
        {
            var manifest = (await catalog.ReadManifestAsync("burst", run.RunId))!;
            Assert.Equal(RunStatus.Succeeded, manifest.Status);
            Assert.Equal(manifest.Inputs.Count * 2, manifest.Totals.RowsRead);
            inputs.AddRange(manifest.Inputs.Select(i => i.Name));
        }

        Assert.Equal(files, inputs.Count);
        Assert.Equal(Enumerable.Range(0, files).Select(Name), inputs.Order(StringComparer.Ordinal));

        // Nothing is left waiting in a window.
        var state = blobs.GetBlobContainerClient(BlobContainers.State);
        await foreach (var leftover in state.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, StorageLayout.ArrivalsPrefix("burst"), CancellationToken.None))
        {
            Assert.Fail($"arrival record left behind: {leftover.Name}");
        }
    }

    private static async Task<IReadOnlyList<RunSummary>> WaitForAllAsync(RunCatalog catalog, int files, TimeSpan timeout, ServeChild host)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var runs = await catalog.ListAsync("burst");
            if (runs.Sum(r => r.Inputs) == files && runs.All(r => r.Status != RunStatus.Running))
            {
                return runs;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{runs.Sum(r => r.Inputs)} of {files} files in {runs.Count} run(s), {runs.Count(r => r.Status == RunStatus.Running)} running:{Environment.NewLine}{host.Output}");
            }

            await Task.Delay(500);
        }
    }

    private static async Task UploadAsync(BlobContainerClient incoming, BinaryData content, int from, int to) =>
        await Parallel.ForAsync(from, to, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            await incoming.GetBlobClient(Name(i)).UploadAsync(content, overwrite: true, ct));

    private static string Name(int i) => $"burst/b/{i:D5}.csv";

    /// <summary>The taxi definition under another name, with a batch window.</summary>
    private void WriteDataset(string name, string batch)
    {
        var taxi = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"));
        var definition = taxi.Replace("\"name\": \"taxi\",", $"\"name\": \"{name}\",\n  \"batch\": {batch},", StringComparison.Ordinal);
        Assert.NotEqual(taxi, definition);
        File.WriteAllText(Path.Combine(datasets, $"{name}.json"), definition);
    }

    public void Dispose() => Directory.Delete(datasets, recursive: true);
}
