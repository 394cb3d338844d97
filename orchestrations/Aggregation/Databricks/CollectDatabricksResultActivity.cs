using System.Globalization;
using System.Text.Json;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// After a Databricks run succeeded: reads the job's summary and result part files, writes the engine-neutral
/// results/{dataset}/run={runId}/summary.json (with a preview, as DuckDB does) and returns the outcome for the manifest.
/// A missing summary or missing parts is a failed aggregation, not a success with nothing in it.
/// </summary>
public sealed class CollectDatabricksResultActivity(BlobStore store, PipelineOptions options)
    : TaskActivity<CollectDatabricksResultInput, AggregationOutcome>
{
    /// <summary>Parts downloaded at most for the preview; the aggregate itself stays where the job wrote it.</summary>
    private const int PreviewParts = 4;

    public override async Task<AggregationOutcome> RunAsync(TaskActivityContext context, CollectDatabricksResultInput input)
    {
        var engineRunId = input.DatabricksRunId.ToString(CultureInfo.InvariantCulture);
        var jobSummaryName = StorageLayout.DatabricksJobSummary(input.Dataset, input.RunId);
        var folder = StorageLayout.DatabricksResultFolder(input.Dataset, input.RunId);
        AggregationOutcome Failed(string message) =>
            new(AggregationEngines.Databricks, engineRunId, input.RunPageUrl, 0, [], AggregationState.Failed, message, "RESULT_MISSING");

        var jobSummary = await store.ReadJsonAsync<DatabricksJobSummary>(BlobContainers.Results, jobSummaryName);
        if (jobSummary is null)
        {
            return Failed($"the Databricks run reported SUCCESS but wrote no summary at {BlobContainers.Results}/{jobSummaryName}");
        }

        var parts = new List<string>();
        var container = store.Service.GetBlobContainerClient(BlobContainers.Results);
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, folder, CancellationToken.None))
        {
            var leaf = blob.Name[(blob.Name.LastIndexOf('/') + 1)..];
            // Spark also writes _SUCCESS, _committed_* and _started_* markers and .crc files.
            if (leaf.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !leaf.StartsWith('_') && !leaf.StartsWith('.'))
            {
                parts.Add(blob.Name);
            }
        }

        parts.Sort(StringComparer.Ordinal);
        if (parts.Count == 0)
        {
            return Failed($"the Databricks run reported SUCCESS but wrote no Parquet under {BlobContainers.Results}/{folder}");
        }

        using var work = new WorkDirectory(options.WorkDirectory, $"collect-{input.RunId}");
        var local = new List<string>();
        foreach (var part in parts.Take(PreviewParts))
        {
            var file = work.File($"part-{local.Count:D5}.parquet");
            await store.Blob(BlobContainers.Results, part).DownloadToAsync(file);
            local.Add(file);
        }

        var resultPath = $"{BlobContainers.Results}/{folder}";
        using var preview = JsonDocument.Parse(DuckDbAggregationEngine.Preview(local));
        var summaryName = StorageLayout.AggregateSummary(input.Dataset, input.RunId);
        await store.UploadJsonAsync(BlobContainers.Results, summaryName,
            new AggregationSummary(AggregationEngines.Databricks, engineRunId, jobSummary.Rows, resultPath, preview.RootElement.Clone()));

        List<string> outputs =
        [
            .. parts.Select(p => $"{BlobContainers.Results}/{p}"),
            $"{BlobContainers.Results}/{jobSummaryName}",
            $"{BlobContainers.Results}/{summaryName}",
        ];
        return new AggregationOutcome(AggregationEngines.Databricks, engineRunId, input.RunPageUrl, jobSummary.Rows, outputs, AggregationState.Succeeded, input.Message);
    }
}
