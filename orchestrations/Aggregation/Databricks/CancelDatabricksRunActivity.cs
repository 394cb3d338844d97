using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Requests cancellation of a Databricks run (idempotent; the run reaches TERMINATED/CANCELED asynchronously).
/// Returns true. Task name: <c>CancelDatabricksRunActivity</c>.
/// </summary>
public sealed class CancelDatabricksRunActivity : TaskActivity<DatabricksRunRef, bool>
{
    private readonly DatabricksJobsClient _client;
    private readonly ILogger<CancelDatabricksRunActivity> _logger;

    /// <summary>Created by the Durable Task worker with constructor injection.</summary>
    public CancelDatabricksRunActivity(DatabricksJobsClient client, ILogger<CancelDatabricksRunActivity> logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task<bool> RunAsync(TaskActivityContext context, DatabricksRunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await _client.CancelRunAsync(input.DatabricksRunId).ConfigureAwait(false);
        _logger.LogWarning("Requested cancellation of Databricks run {DatabricksRunId}", input.DatabricksRunId);
        return true;
    }
}
