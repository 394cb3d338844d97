using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Databricks;
using Tributary.Orchestrations.Models;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// Finds a run's engine run in tributary-state/engine-runs/{runId}.json (written when it started) and cancels it:
/// Databricks runs through runs/cancel (idempotent: cancelling a finished run changes nothing). Runs on the embedded
/// DuckDB engine have no record and need nothing cancelled.
/// </summary>
public sealed class RecordedEngineRunCanceller(BlobStore store, IServiceProvider services) : IEngineRunCanceller
{
    public async Task<EngineRunCancellation> CancelEngineRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        var record = await store.ReadJsonAsync<EngineRunRecord>(BlobContainers.State, StorageLayout.EngineRun(runId), cancellationToken);
        if (record is null)
        {
            return new EngineRunCancellation(false, null, null, "no external engine run was started for this run");
        }

        if (record.Engine != AggregationEngines.Databricks || !long.TryParse(record.EngineRunId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var databricksRunId))
        {
            return new EngineRunCancellation(false, record.Engine, record.EngineRunId, $"engine '{record.Engine}' runs cannot be cancelled from here");
        }

        // The client exists only when Databricks is configured; a record without it means the configuration was removed.
        var client = services.GetService<DatabricksJobsClient>();
        if (client is null)
        {
            return new EngineRunCancellation(false, record.Engine, record.EngineRunId, "Databricks is not configured in this deployment; cancel the run in the workspace");
        }

        await client.CancelRunAsync(databricksRunId, cancellationToken);
        return new EngineRunCancellation(true, record.Engine, record.EngineRunId, $"requested cancellation of Databricks run {record.EngineRunId}");
    }
}
