using System.Text.Json;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>The embedded aggregation: DuckDB over the run's curated parts, results and summary to deterministic paths.</summary>
public sealed class AggregateWithDuckDbActivity(BlobStore store, FrozenDefinitions definitions, PipelineOptions options)
    : TaskActivity<AggregationRequest, AggregationOutcome>
{
    public override async Task<AggregationOutcome> RunAsync(TaskActivityContext context, AggregationRequest request)
    {
        var dataset = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        var resultName = StorageLayout.AggregateResult(request.Dataset, request.RunId);
        var summaryName = StorageLayout.AggregateSummary(request.Dataset, request.RunId);
        if (request.CuratedParts.Count == 0)
        {
            return new AggregationOutcome(AggregationEngines.DuckDb, null, null, 0, [], AggregationState.Succeeded, "no curated rows to aggregate");
        }

        using var work = new WorkDirectory(options.WorkDirectory, $"aggregate-{request.RunId}");
        var parts = new List<string>();
        foreach (var part in request.CuratedParts)
        {
            var local = work.File($"part-{parts.Count:D5}.parquet");
            await store.BlobAt(part).DownloadToAsync(local);
            parts.Add(local);
        }

        var resultFile = work.File("aggregate.parquet");
        var (rows, preview) = DuckDbAggregationEngine.Run(dataset.Aggregation, parts, resultFile, work.Path, options.DuckDbMemoryLimit);
        await store.UploadFileAsync(BlobContainers.Results, resultName, resultFile);

        var resultPath = $"{BlobContainers.Results}/{resultName}";
        using var previewDocument = JsonDocument.Parse(preview);
        var summary = new AggregationSummary(AggregationEngines.DuckDb, null, rows, resultPath, previewDocument.RootElement.Clone());
        await store.UploadJsonAsync(BlobContainers.Results, summaryName, summary);
        return new AggregationOutcome(AggregationEngines.DuckDb, null, null, rows, [resultPath, $"{BlobContainers.Results}/{summaryName}"], AggregationState.Succeeded);
    }
}
