using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Testing;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// A run of many small files, planned into packs and processed by the pack activity against Azurite, with the shared
/// DuckDB pass on and off: each input gets the same counts, and each curated part holds exactly that input's valid
/// rows (oracle: DuckDB over the raw file); a file with a problem of its own is quarantined either way.
/// </summary>
public sealed class SharedPackPassTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Dataset = "taxi";
    private const int Files = 12;
    private readonly string work = Directory.CreateTempSubdirectory("tributary-packpass-").FullName;

    [Fact]
    public async Task Every_input_of_a_pack_gets_its_own_oracle_rows_with_the_shared_pass_on_and_off()
    {
        var on = await ProcessRunAsync(sharedPass: true);
        var off = await ProcessRunAsync(sharedPass: false);

        Assert.Equal(Files + 1, on.Results.Count);
        Assert.Equal(
            off.Results.Select(r => (Path.GetFileName(r.Input.Name), r.RowsRead, r.RowsCurated, r.RowsRejected, r.FileProblem)),
            on.Results.Select(r => (Path.GetFileName(r.Input.Name), r.RowsRead, r.RowsCurated, r.RowsRejected, r.FileProblem)));
        Assert.Equal(Files, on.PassedTogether);
        Assert.Equal(0, off.PassedTogether);
        foreach (var (result, part) in on.Results.Zip(on.Parts))
        {
            var file = on.FileOf[result.Input.Name];
            if (result.FileProblem is not null)
            {
                Assert.Contains("missing required columns", result.FileProblem, StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(TaxiOracle.TotalRows(file), result.RowsRead);
            Assert.Equal(TaxiOracle.ValidRows(file), result.RowsCurated);
            var (rows, distinct, idSum) = TaxiOracle.ParquetIds([part!]);
            Assert.Equal((TaxiOracle.ValidRows(file), TaxiOracle.ValidRows(file), TaxiOracle.ValidIdSum(file)), (rows, distinct, idSum));
        }
    }

    private sealed record RunOutcome(IReadOnlyList<ChunkResult> Results, IReadOnlyList<string?> Parts, Dictionary<string, string> FileOf, long PassedTogether);

    private async Task<RunOutcome> ProcessRunAsync(bool sharedPass)
    {
        var side = sharedPass ? "on" : "off";
        var options = new PipelineOptions
        {
            DatasetsPath = Path.Combine(AppContext.BaseDirectory, "datasets"),
            WorkDirectory = Path.Combine(work, $"scratch-{side}"),
            TaskHub = TestHosts.NewTaskHub(),
            SharedPackPass = sharedPass,
        };
        await using var services = new ServiceCollection().AddLogging().AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();

        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        var inputs = new List<BlobReference>();
        var fileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i <= Files; i++)
        {
            var file = Path.Combine(work, $"{side}-{i}.csv");
            SampleDataSet.WriteFile(file, "csv", 60 + i, seed: 70 + i, firstTripId: 9_000_000 + (i * 1_000));
            if (i == Files)
            {
                // A file of its own kind: a header without the required columns, quarantined, not a row lost elsewhere.
                await File.WriteAllTextAsync(file, "trip_id,comment\n1,no fare here\n");
            }

            var name = $"{Dataset}/packpass-{side}/{i:D2}.csv";
            var uploaded = (await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true)).Value;
            inputs.Add(new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), new FileInfo(file).Length));
            fileOf[name] = file;
        }

        var plan = await Activity<PlanRunActivity>(services).RunAsync(new FakeActivityContext(nameof(PlanRunActivity)), new IngestRequest($"{Dataset}-packpass-{side}", Dataset, inputs));
        Assert.Single(plan.ActivityPacks);

        // One small pack: planning processed it with the pack activity's code (RunShape.ProcessWithPlan, on by default).
        var processed = plan.Processed ?? throw new Xunit.Sdk.XunitException("the run is one small pack, yet planning left it to a processing activity");
        var results = await services.GetRequiredService<ChunkResultFiles>().ReadAsync([processed.Path]);

        var parts = new List<string?>();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Curated);
        foreach (var result in results)
        {
            if (result.CuratedPath is null)
            {
                parts.Add(null);
                continue;
            }

            var local = Path.Combine(work, $"{side}-part-{result.Index}.parquet");
            await container.GetBlobClient(result.CuratedPath[(BlobContainers.Curated.Length + 1)..]).DownloadToAsync(local);
            parts.Add(local);
        }

        return new RunOutcome(results, parts, fileOf, services.GetRequiredService<CsvPackProcessor>().FilesPassedTogether);
    }

    private static T Activity<T>(IServiceProvider services)
        where T : class => ActivatorUtilities.CreateInstance<T>(services);

    public void Dispose() => Directory.Delete(work, recursive: true);
}
