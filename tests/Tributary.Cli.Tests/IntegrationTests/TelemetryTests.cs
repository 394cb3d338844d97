using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Telemetry;
using Attr = Tributary.Orchestrations.Telemetry.TributaryTelemetry.Attributes;
using Spans = Tributary.Orchestrations.Telemetry.TributaryTelemetry.Spans;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// One run of a small file with in-memory exporters listening, as the hosts' OTLP and Prometheus exporters do: our spans
/// (run id on each), the Durable Task SDK's orchestration and activity spans in the same trace, and metrics that agree
/// with the manifest and with DuckDB over the raw file.
/// </summary>
public sealed class TelemetryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-telemetry-").FullName;

    [Fact]
    public async Task One_run_gives_linked_spans_with_its_run_id_and_metrics_that_match_its_manifest()
    {
        // A dataset of its own, so metrics of any other run cannot mix in.
        const string dataset = "telemetry";
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        var taxi = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"));
        File.WriteAllText(Path.Combine(datasets, "telemetry.json"), taxi.Replace("\"name\": \"taxi\",", "\"name\": \"telemetry\",", StringComparison.Ordinal));
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddTributarySources().AddInMemoryExporter(spans).Build();
        using var meter = Sdk.CreateMeterProviderBuilder().AddMeter(TributaryTelemetry.Name).AddInMemoryExporter(metrics).Build();

        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?> { ["Tributary:DatasetsPath"] = datasets });
        await using var host = await TestHosts.StartAsync(configuration, watch: false);
        var file = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", 500, 41, firstTripId: 1);
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient($"{dataset}/trips.csv");
        var uploaded = (await blob.UploadAsync(file)).Value;
        var outcome = await host.Services.GetRequiredService<RunIntake>().SubmitBlobAsync(blob.Name, uploaded.ETag.ToString(), new FileInfo(file).Length);
        var manifest = await RunWaiter.WaitAsync(host.Client, outcome.RunId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        await WaitForAsync(() => spans.ToList().Any(s => s.DisplayName == Spans.Archive && s.Duration > TimeSpan.Zero));
        tracer.ForceFlush();
        meter.ForceFlush();
        var all = spans.ToList();
        var runId = outcome.RunId;

        // Our spans: one per step, each carrying the run id.
        var ours = all.Where(s => s.Source.Name == TributaryTelemetry.Name && (string?)s.GetTagItem(Attr.RunId) == runId).ToList();
        foreach (var name in new[] { Spans.IntakeBlob, Spans.IntakeStart, Spans.Plan, Spans.TableCommit, Spans.Aggregate, Spans.RunCommit, Spans.Archive })
        {
            Assert.True(ours.Count(s => s.DisplayName == name) == 1, $"{name}: {Describe(all)}");
        }

        var chunks = ours.Where(s => s.DisplayName == Spans.ProcessChunk).ToList();
        Assert.Equal(manifest.Chunks.Count, chunks.Count);
        Assert.Equal(manifest.Totals.RowsRead, chunks.Sum(s => (long)s.GetTagItem(Attr.RowsRead)!));
        Assert.Equal(manifest.Totals.RowsRejected, chunks.Sum(s => (long)s.GetTagItem(Attr.RowsRejected)!));
        Assert.All(chunks, s => Assert.Equal(dataset, s.GetTagItem(Attr.Dataset)));
        Assert.Equal(manifest.Chunks.Select(c => c.Index).Order(), chunks.Select(s => (int)s.GetTagItem(Attr.ChunkIndex)!).Order());
        Assert.Equal(manifest.Table!.Version, ours.Single(s => s.DisplayName == Spans.TableCommit).GetTagItem(Attr.TableVersion));

        // One trace from intake down: the SDK's orchestration span is under intake, each activity span under the
        // orchestration, and each of our activity spans under the SDK's span of that activity. A one-file run is
        // processed by its planning activity (RunShape.ProcessWithPlan): its chunk spans sit under our plan span.
        var intake = ours.Single(s => s.DisplayName == Spans.IntakeBlob);
        var sdk = all.Where(s => s.Source.Name == TributaryTelemetry.DurableTaskSource && s.TraceId == intake.TraceId).ToList();
        Assert.Contains(sdk, s => s.DisplayName.Contains(nameof(IngestOrchestrator), StringComparison.Ordinal));
        Assert.Contains(sdk, s => s.DisplayName.Contains(nameof(PlanRunActivity), StringComparison.Ordinal));
        var sdkSpanIds = sdk.Select(s => s.SpanId).ToHashSet();
        var plan = ours.Single(s => s.DisplayName == Spans.Plan);
        Assert.All(ours.Where(s => s.DisplayName is not (Spans.IntakeBlob or Spans.IntakeStart)), s =>
        {
            Assert.Equal(intake.TraceId, s.TraceId);
            Assert.Contains(s.ParentSpanId, s.DisplayName == Spans.ProcessChunk ? [plan.SpanId] : sdkSpanIds);
        });

        // Metrics against the manifest and against DuckDB over the raw file.
        Assert.Equal(TaxiOracle.TotalRows(file), Sum(metrics, "tributary.rows.read", dataset));
        Assert.Equal(manifest.Totals.RowsRead, Sum(metrics, "tributary.rows.read", dataset));
        Assert.Equal(manifest.Totals.RowsCurated, Sum(metrics, "tributary.rows.curated", dataset));
        Assert.Equal(manifest.Totals.RowsRejected, Sum(metrics, "tributary.rows.rejected", dataset));
        Assert.Equal(1, Sum(metrics, "tributary.runs", dataset, (Attr.Status, "Succeeded")));
        Assert.Equal(manifest.Chunks.Count, HistogramCount(metrics, "tributary.chunk.duration", dataset));
        Assert.Equal(manifest.Chunks.Count, HistogramCount(metrics, "tributary.chunk.bytes", dataset));
        Assert.Equal(1, HistogramCount(metrics, "tributary.intake.drop_to_start", dataset));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // The archive step runs after the manifest (the run's last activity): wait for its span to end.
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
    }

    private static IEnumerable<MetricPoint> Points(List<Metric> metrics, string name, string dataset, (string Key, string Value)? extra)
    {
        // Cumulative temporality: the last export of each instrument holds the totals.
        var metric = metrics.LastOrDefault(m => m.Name == name);
        Assert.True(metric is not null, $"no metric {name}: [{string.Join(", ", metrics.Select(m => m.Name).Distinct())}]");
        foreach (ref readonly var point in metric!.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            if (Equals(tags.GetValueOrDefault(Attr.Dataset), dataset) && (extra is not { } e || Equals(tags.GetValueOrDefault(e.Key), e.Value)))
            {
                yield return point;
            }
        }
    }

    private static long Sum(List<Metric> metrics, string name, string dataset, (string, string)? extra = null) =>
        Points(metrics, name, dataset, extra).Sum(p => p.GetSumLong());

    private static long HistogramCount(List<Metric> metrics, string name, string dataset) =>
        Points(metrics, name, dataset, null).Sum(p => p.GetHistogramCount());

    private static string Describe(List<Activity> spans) =>
        string.Join("; ", spans.Select(s => $"{s.Source.Name}:{s.DisplayName} trace {s.TraceId} span {s.SpanId} parent {s.ParentSpanId} run {s.GetTagItem(Attr.RunId)}"));

    public void Dispose() => Directory.Delete(work, recursive: true);
}
