using Tributary.Testing.Processes;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// Runs were seen stuck in Running on this engine under some settings. Consecutive fan-outs of 200 activities, with
/// a SIGKILL and restart of the host in the middle, must all complete. Eight in the suite (it sits on the serial
/// heavy collection, the suite's critical path); TRIBUTARY_SOAK_RUNS runs more locally.
/// </summary>
[Collection(HeavyTests.Name)]
[Trait("Category", "Slow")]
public sealed class SoakTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("TRIBUTARY_SOAK_RUNS"), out var runs) && runs > 1 ? runs : 8;
    private const int ChunksPerRun = 200;
    private const string InputContainer = "soak-inputs";

    private readonly string work = Directory.CreateTempSubdirectory("tributary-soak-").FullName;

    [Fact]
    public async Task Consecutive_fan_outs_of_200_activities_all_complete_across_a_kill_and_restart()
    {
        // Packing off: the point is 200 activities per fan-out on the engine.
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?>
        {
            ["Tributary:PackChunksBelowBytes"] = "0",
        });
        var file = Path.Combine(work, "tiny.csv");
        SampleDataSet.WriteFile(file, "csv", rows: 20, seed: 5, firstTripId: 1);
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(InputContainer);
        await container.CreateIfNotExistsAsync();
        var uploaded = await container.GetBlobClient("taxi/tiny.csv").UploadAsync(file, overwrite: true);
        var input = new BlobReference(InputContainer, "taxi/tiny.csv", uploaded.Value.ETag.ToString().Trim('"'), new FileInfo(file).Length);
        var validRows = TaxiOracle.ValidRows(file);

        await using var client = await TestHosts.StartAsync(configuration, HostRole.ClientOnly, watch: false);
        var intake = client.Services.GetRequiredService<RunIntake>();
        var serve = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));
        try
        {
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                var runId = $"soak-{run:D2}-{Guid.NewGuid():N}"[..24];
                var request = new IngestRequest(runId, "taxi", Enumerable.Repeat(input, ChunksPerRun).ToList(), MaxChunksInFlight: ChunksPerRun);
                Assert.Equal(IntakeDecision.Started, (await intake.StartAsync(request)).Decision);

                if (run == Runs / 2)
                {
                    // Kill in the middle of a fan-out, then restart.
                    await Task.Delay(TimeSpan.FromSeconds(1.5));
                    serve.KillHard();
                    serve.Dispose();
                    serve = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));
                }

                var manifest = await RunWaiter.WaitAsync(client.Client, runId, TimeSpan.FromMinutes(5));
                Assert.Equal(RunStatus.Succeeded, manifest.Status);
                Assert.Equal(ChunksPerRun, manifest.Chunks.Count);
                Assert.Equal(validRows * ChunksPerRun, manifest.Totals.RowsCurated);
                output.WriteLine($"run {run}: {ChunksPerRun} activities in {clock.Elapsed.TotalSeconds:F1}s");
            }
        }
        finally
        {
            serve.Dispose();
        }
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
