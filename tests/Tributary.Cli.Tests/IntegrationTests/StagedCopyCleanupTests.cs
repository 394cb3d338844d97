using System.IO.Compression;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>A gzip input's decompressed copy, staged at planning for the run's chunks, is gone once the run is committed.</summary>
public sealed class StagedCopyCleanupTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-staged-").FullName;

    [Fact]
    public async Task A_gzip_runs_staged_copy_is_deleted_after_its_manifest()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var csv = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(csv, "csv", 2000, seed: 9, firstTripId: 9_000_000);
        var gz = csv + ".gz";
        await using (var source = File.OpenRead(csv))
        await using (var target = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            await source.CopyToAsync(target);
        }

        const string name = "taxi/staged/trips.csv.gz";
        var uploaded = (await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name).UploadAsync(gz, overwrite: true)).Value;
        var input = new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), new FileInfo(gz).Length);
        const string runId = "staged-cleanup-1";

        await host.Services.GetRequiredService<RunIntake>().StartAsync(new IngestRequest(runId, "taxi", [input]));
        var manifest = await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(2));

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(TaxiOracle.ValidRows(csv), manifest.Totals.RowsCurated);
        var left = new List<string>();
        await foreach (var blob in new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.State)
            .GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.StagedRunPrefix("taxi", runId), CancellationToken.None))
        {
            left.Add(blob.Name);
        }

        Assert.Empty(left);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
