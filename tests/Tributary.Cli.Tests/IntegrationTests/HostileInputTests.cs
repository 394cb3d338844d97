using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Datasets;
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

    private readonly CapturedLogs logs = new();

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

        // Caught at planning, where the file is decompressed once: no chunk, so no row of it is ever curated.
        Assert.Empty(plan.Chunks);
        Assert.StartsWith("truncated gzip: ", Assert.Single(plan.QuarantinedFiles).Reason);
        var reasonFile = StorageLayout.QuarantinedFile("taxi", runId, name) + ".reason.json";
        var stored = (await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Rejected).GetBlobClient(reasonFile).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("truncated gzip: ", stored);
    }

    [Fact]
    public async Task A_gzip_file_is_staged_decompressed_once_and_processed_as_record_safe_chunks()
    {
        await using var services = await ServicesAsync(chunkSizeBytes: 65536);
        var local = Path.Combine(work, "trips.csv");
        Orchestrations.Samples.SampleDataSet.WriteFile(local, "csv", rows: 5_000, seed: 11, firstTripId: 1);
        var gz = local + ".gz";
        await using (var source = File.OpenRead(local))
        await using (var gzip = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            await source.CopyToAsync(gzip);
        }

        var name = $"taxi/hostile/trips-{Guid.NewGuid():N}.csv.gz";
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name);
        var uploaded = (await blob.UploadAsync(gz, overwrite: true)).Value;
        var input = new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), new FileInfo(gz).Length);
        var runId = "hostile-gzok-" + Guid.NewGuid().ToString("N")[..8];

        var plan = await Activity<PlanRunActivity>(services).RunAsync(new Context(nameof(PlanRunActivity)), new IngestRequest(runId, "taxi", [input]));
        Assert.True(plan.Chunks.Count > 3, $"{plan.Chunks.Count} chunks");
        Assert.All(plan.Chunks, c => Assert.Equal(StorageLayout.StagedDecompressed("taxi", runId, 0, DataFormat.Csv), c.Staged!.Name));
        Assert.All(plan.Chunks, c => Assert.Equal(name, c.Input.Name));

        var results = new List<ChunkResult>();
        foreach (var chunk in plan.Chunks)
        {
            results.Add(await Activity<ProcessChunkActivity>(services).RunAsync(new Context(nameof(ProcessChunkActivity)), chunk));
        }

        Assert.All(results, r => Assert.Null(r.FileProblem));
        Assert.Equal(5_000, results.Sum(r => r.RowsRead));
    }

    private async Task<ServiceProvider> ServicesAsync(long? chunkSizeBytes = null)
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        var definition = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"));
        if (chunkSizeBytes is { } size)
        {
            definition = definition.Replace("\"encoding\": \"utf-8\"", $"\"encoding\": \"utf-8\", \"chunkSizeBytes\": {size}", StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(Path.Combine(datasets, "taxi.json"), definition);
        var options = new PipelineOptions { DatasetsPath = datasets, WorkDirectory = Path.Combine(work, "scratch"), TaskHub = TestHosts.NewTaskHub() };
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)).AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();
        return services;
    }

    private static T Activity<T>(IServiceProvider services)
        where T : class => ActivatorUtilities.CreateInstance<T>(services);

    public void Dispose()
    {
        // Whatever these hostile runs logged (warnings with reasons, storage errors), no secret of the account is in it.
        var key = azurite.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        Assert.DoesNotContain(logs.Lines, l => l.Contains(key, StringComparison.Ordinal) || l.Contains("sig=", StringComparison.OrdinalIgnoreCase) || l.Contains("AccountKey", StringComparison.OrdinalIgnoreCase));
        Directory.Delete(work, recursive: true);
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{formatter(state, exception)} {exception}");
        }
    }

    private sealed class Context(string name) : TaskActivityContext
    {
        public override TaskName Name { get; } = new(name);

        public override string InstanceId { get; } = "hostile-test";
    }
}
