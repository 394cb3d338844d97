using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// Cancels a run's Databricks job run when the run is cancelled (a terminated orchestration runs no more code of its
/// own). The Databricks run id comes from the orchestration's custom status (<see cref="RunProgress.EngineRunId"/>,
/// <c>databricks:{id}</c>) or, when that is gone, from tributary-state/engine-runs/{runId}.json; both are written as
/// soon as the run has started. runs/cancel is idempotent, so cancelling a finished run changes nothing.
/// Registered instead of <see cref="NoEngineRunCanceller"/> when Databricks is configured.
/// </summary>
public sealed class DatabricksRunCanceller(BlobStore store, DatabricksJobsClient client, ILogger<DatabricksRunCanceller> logger) : IEngineRunCanceller
{
    private const string Prefix = AggregationEngines.Databricks + ":";

    public async Task CancelAsync(string dataset, string runId, string? serializedCustomStatus, CancellationToken cancellationToken = default)
    {
        var databricksRunId = FromStatus(serializedCustomStatus) ?? await FromRecordAsync(runId, cancellationToken);
        if (databricksRunId is not { } id)
        {
            logger.LogInformation("Run {RunId} of {Dataset} has no Databricks run to cancel", runId, dataset);
            return;
        }

        // Failures propagate: the client has retried already, and the caller must learn that the job run may still be running.
        await client.CancelRunAsync(id, cancellationToken);
        logger.LogWarning("Run {RunId} of {Dataset} cancelled: requested cancellation of Databricks run {DatabricksRunId}", runId, dataset, id);
    }

    private static long? FromStatus(string? serializedCustomStatus)
    {
        if (string.IsNullOrWhiteSpace(serializedCustomStatus))
        {
            return null;
        }

        try
        {
            var progress = JsonSerializer.Deserialize<RunProgress>(serializedCustomStatus, BlobStore.Json);
            return progress?.EngineRunId is { } engineRun && engineRun.StartsWith(Prefix, StringComparison.Ordinal) ? Parse(engineRun[Prefix.Length..]) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<long?> FromRecordAsync(string runId, CancellationToken cancellationToken)
    {
        var record = await store.ReadJsonAsync<EngineRunRecord>(BlobContainers.State, StorageLayout.EngineRun(runId), cancellationToken);
        return record is { Engine: AggregationEngines.Databricks } ? Parse(record.EngineRunId) : null;
    }

    private static long? Parse(string text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null;
}
