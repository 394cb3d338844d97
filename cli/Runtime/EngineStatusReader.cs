using Azure.Data.Tables;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Runs;

namespace Tributary.Cli.Runtime;

/// <summary>
/// Reads an orchestration's runtime status straight from the task hub's Instances table (DurableTask.AzureStorage:
/// PartitionKey = instance id, RowKey empty, column RuntimeStatus), so `runs` shows live statuses of unfinished runs
/// and backfills without starting an engine or needing serve's API.
/// </summary>
public sealed class EngineStatusReader(string connectionString, string taskHub)
{
    private readonly TableClient table = new(connectionString, $"{taskHub}Instances");

    public async Task<RunStatus?> StatusAsync(string runId, string kind, CancellationToken cancellationToken)
    {
        TableEntity? entity;
        try
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(runId, "", ["RuntimeStatus"], cancellationToken);
            entity = response.HasValue ? response.Value : null;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            entity = null;
        }

        return entity?.GetString("RuntimeStatus") switch
        {
            null => kind == RunKinds.Ingest ? RunStatus.Pending : null,
            "Pending" => RunStatus.Pending,
            "Completed" => RunStatus.Succeeded,
            "Failed" => RunStatus.Failed,
            "Terminated" or "Canceled" => RunStatus.Canceled,
            _ => RunStatus.Running,
        };
    }
}
