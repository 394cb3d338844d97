using Microsoft.DurableTask;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Reads a Databricks run's state and maps it to a <see cref="DatabricksRunOutcome"/>. Task name: <c>GetDatabricksRunActivity</c>.</summary>
public sealed class GetDatabricksRunActivity : TaskActivity<DatabricksRunRef, DatabricksRunOutcome>
{
    private readonly DatabricksJobsClient _client;

    /// <summary>Created by the Durable Task worker with constructor injection.</summary>
    public GetDatabricksRunActivity(DatabricksJobsClient client)
    {
        _client = client;
    }

    /// <inheritdoc />
    public override async Task<DatabricksRunOutcome> RunAsync(TaskActivityContext context, DatabricksRunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = await _client.GetRunAsync(input.DatabricksRunId).ConfigureAwait(false);
        return DatabricksRunOutcome.From(state);
    }
}
