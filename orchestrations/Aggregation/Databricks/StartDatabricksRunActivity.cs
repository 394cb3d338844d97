using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Starts the <c>tributary_aggregate</c> job with <c>run-now</c> and an idempotency token derived from the Tributary run id,
/// so a replayed or retried activity never starts a second Databricks run. Task name: <c>StartDatabricksRunActivity</c>.
/// </summary>
public sealed class StartDatabricksRunActivity : TaskActivity<StartDatabricksRunInput, StartDatabricksRunOutput>
{
    private readonly DatabricksJobsClient _client;
    private readonly DatabricksJobsOptions _options;
    private readonly ILogger<StartDatabricksRunActivity> _logger;

    /// <summary>Created by the Durable Task worker with constructor injection.</summary>
    public StartDatabricksRunActivity(DatabricksJobsClient client, IOptions<DatabricksJobsOptions> options, ILogger<StartDatabricksRunActivity> logger)
    {
        _client = client;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task<StartDatabricksRunOutput> RunAsync(TaskActivityContext context, StartDatabricksRunInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var jobId = input.JobId ?? _options.JobId;
        var token = IdempotencyToken.FromRunId(input.RunId, input.Attempt);
        var started = await _client.RunNowAsync(jobId, input.JobParameters, token).ConfigureAwait(false);
        var state = await _client.GetRunAsync(started.DatabricksRunId).ConfigureAwait(false);
        _logger.LogInformation(
            "Databricks job {JobId} run {DatabricksRunId} for Tributary run {RunId} (token {IdempotencyToken}): {RunPageUrl}",
            jobId, started.DatabricksRunId, input.RunId, token, state.RunPageUrl);
        return new StartDatabricksRunOutput(
            started.DatabricksRunId, started.NumberInJob, state.RunPageUrl, token, _options.PollSchedule, _options.RunTimeout);
    }
}
