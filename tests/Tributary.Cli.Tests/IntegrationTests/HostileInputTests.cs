using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// Hostile inputs through the real planning and chunk activities on a real Azurite: each file is quarantined (a copy
/// when storage can read it, and always its <c>.reason.json</c>) with a clear reason, never a raw storage error.
/// </summary>
public sealed class HostileInputTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-hostile-").FullName;

    [Theory]
    [InlineData(@"taxi/..\..\escape.csv", "contains a backslash")]
    [InlineData("taxi/../escape.csv", "'..' path segment")]
    [InlineData("taxi/trips.csv.", "ends with '.'")]
    public async Task A_blob_name_storage_refuses_is_quarantined_with_a_reason_not_a_storage_error(string name, string reason)
    {
        await using var services = await ServicesAsync();
        var input = new BlobReference(BlobContainers.Incoming, name, "0x8DDBAD", 100);

        var plan = await Activity<PlanRunActivity>(services).RunAsync(new Context(nameof(PlanRunActivity)), new IngestRequest("hostile-name-" + Guid.NewGuid().ToString("N")[..8], "taxi", [input]));

        Assert.Empty(plan.Chunks);
        var quarantined = Assert.Single(plan.QuarantinedFiles);
        Assert.Contains(reason, quarantined.Reason);
        Assert.Contains("rename the file", quarantined.Reason);
        Assert.DoesNotContain("InvalidResourceName", quarantined.Reason);
        var target = StorageLayout.QuarantinedFile("taxi", "run", name);
        Assert.DoesNotContain('\\', target);
    }

    [Fact]
    public async Task A_cut_gzip_is_quarantined_with_its_reason_file_and_no_curated_part()
    {
        await using var services = await ServicesAsync();
        var csv = new StringBuilder("trip_id,pickup_at\n");
        for (var i = 1; i <= 10_000; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},2024-01-01 00:{i % 60:D2}:00\n");
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(csv.ToString()));
        }

        var cut = compressed.ToArray()[..(int)(compressed.Length * 0.6)];
        var name = $"taxi/hostile/cut-{Guid.NewGuid():N}.csv.gz";
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name);
        var uploaded = (await blob.UploadAsync(new BinaryData(cut), overwrite: true)).Value;
        var input = new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), cut.Length);
        var runId = "hostile-gz-" + Guid.NewGuid().ToString("N")[..8];

        var plan = await Activity<PlanRunActivity>(services).RunAsync(new Context(nameof(PlanRunActivity)), new IngestRequest(runId, "taxi", [input]));
        var result = await Activity<ProcessChunkActivity>(services).RunAsync(new Context(nameof(ProcessChunkActivity)), Assert.Single(plan.Chunks));

        Assert.StartsWith("truncated gzip: ", result.FileProblem);
        Assert.Null(result.CuratedPath);
        Assert.Equal(0, result.RowsRead);
        var reasonFile = StorageLayout.QuarantinedFile("taxi", runId, name) + ".reason.json";
        var stored = (await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Rejected).GetBlobClient(reasonFile).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("truncated gzip: ", stored);
    }

    private async Task<ServiceProvider> ServicesAsync()
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"), Path.Combine(datasets, "taxi.json"), overwrite: true);
        var options = new PipelineOptions { DatasetsPath = datasets, WorkDirectory = Path.Combine(work, "scratch"), TaskHub = TestHosts.NewTaskHub() };
        var services = new ServiceCollection().AddLogging().AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();
        return services;
    }

    private static T Activity<T>(IServiceProvider services)
        where T : class => ActivatorUtilities.CreateInstance<T>(services);

    public void Dispose() => Directory.Delete(work, recursive: true);

    private sealed class Context(string name) : TaskActivityContext
    {
        public override TaskName Name { get; } = new(name);

        public override string InstanceId { get; } = "hostile-test";
    }
}
