using Tributary.Testing.Processes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// The host is a real child process killed with SIGKILL mid fan-out; orchestration state in Azure Storage
/// (Azurite) must carry the run to a correct, duplicate-free end after a restart.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DurabilityTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    // Inputs live outside incoming/ so the host's watcher does not start runs of its own for them.
    private const string InputContainer = "durability-inputs";

    private readonly string work = Directory.CreateTempSubdirectory("tributary-durability-").FullName;

    [Fact]
    public async Task A_run_killed_mid_fan_out_completes_after_restart_with_correct_results_and_no_duplicates()
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
        {
            // One activity at a time, so the kill lands mid fan-out.
            ["Tributary:Engine:MaxConcurrentActivities"] = "1",
        });
        var files = Enumerable.Range(0, 16).Select(i => Sample($"part-{i:D2}.csv", seed: 100 + i, rows: 15_000)).ToList();
        var inputs = await UploadAsync(files);
        var runId = "durability-" + Guid.NewGuid().ToString("N")[..8];

        await using var client = await TestHosts.StartAsync(configuration, HostRole.ClientOnly, watch: false);
        await client.Services.GetRequiredService<RunIntake>().StartAsync(new IngestRequest(runId, "taxi", inputs, MaxChunksInFlight: 2));

        var curated = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Curated);
        using (var first = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration)))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (await CountAsync(curated, runId) < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no progress before the kill:{Environment.NewLine}{first.Output}");
                await Task.Delay(100);
            }

            first.KillHard();
        }

        var doneAtKill = await CountAsync(curated, runId);
        Assert.True(doneAtKill < files.Count, $"the kill came after the fan-out ({doneAtKill} of {files.Count} parts): the test proves nothing");

        using var second = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));
        var manifest = await RunWaiter.WaitAsync(client.Client, runId, TimeSpan.FromMinutes(4));

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(files.Count, manifest.Chunks.Count);
        Assert.Equal(files.Sum(TaxiOracle.ValidRows), manifest.Totals.RowsCurated);

        // Exactly one part per chunk, and no row twice: retried chunks overwrote their own part.
        var parts = await DownloadPartsAsync(curated, runId);
        Assert.Equal(files.Count, parts.Count);
        Assert.Equal(manifest.Totals.RowsCurated, TaxiOracle.ParquetRows(parts));
        Assert.Equal(manifest.Totals.RowsCurated, TaxiOracle.DistinctTripIds(parts));
    }

    private string Sample(string name, int seed, int rows)
    {
        var path = Path.Combine(work, name);
        SampleDataSet.WriteFile(path, "csv", rows, seed, firstTripId: seed * 1_000_000L);
        return path;
    }

    private async Task<List<BlobReference>> UploadAsync(IEnumerable<string> files)
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(InputContainer);
        await container.CreateIfNotExistsAsync();
        var inputs = new List<BlobReference>();
        foreach (var file in files)
        {
            var name = $"taxi/{Path.GetFileName(file)}";
            var uploaded = await container.GetBlobClient(name).UploadAsync(file, overwrite: true);
            inputs.Add(new BlobReference(InputContainer, name, uploaded.Value.ETag.ToString().Trim('"'), new FileInfo(file).Length));
        }

        return inputs;
    }

    private static async Task<int> CountAsync(BlobContainerClient curated, string runId)
    {
        var count = 0;
        await foreach (var _ in curated.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.RunPrefix("taxi", runId), CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    private async Task<List<string>> DownloadPartsAsync(BlobContainerClient curated, string runId)
    {
        var parts = new List<string>();
        await foreach (var blob in curated.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.RunPrefix("taxi", runId), CancellationToken.None))
        {
            var local = Path.Combine(work, $"{parts.Count}.parquet");
            await curated.GetBlobClient(blob.Name).DownloadToAsync(local);
            parts.Add(local);
        }

        return parts;
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
