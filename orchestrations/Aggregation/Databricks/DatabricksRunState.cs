namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// State of one Databricks job run as returned by <c>GET /api/2.2/jobs/runs/get</c>: the Jobs 2.2 <c>status</c> object
/// (preferred) and the deprecated <c>state</c> object (read when <c>status</c> is absent). Values are kept as the API's
/// strings (the API may add states and codes); <see cref="DatabricksRunOutcome.From"/> interprets them.
/// </summary>
/// <param name="DatabricksRunId">The Databricks <c>run_id</c>.</param>
/// <param name="LifeCycleState"><c>state.life_cycle_state</c>: PENDING, QUEUED, RUNNING, TERMINATING, TERMINATED, SKIPPED, INTERNAL_ERROR, BLOCKED, WAITING_FOR_RETRY.</param>
/// <param name="ResultState"><c>state.result_state</c> (terminal states only): SUCCESS, FAILED, TIMEDOUT, CANCELED, MAXIMUM_CONCURRENT_RUNS_REACHED, EXCLUDED, SUCCESS_WITH_FAILURES, UPSTREAM_FAILED, UPSTREAM_CANCELED, DISABLED.</param>
/// <param name="StateMessage"><c>state.state_message</c>.</param>
/// <param name="RunPageUrl"><c>run_page_url</c>.</param>
/// <param name="StatusState">Jobs 2.2 <c>status.state</c> (PENDING, QUEUED, RUNNING, TERMINATING, TERMINATED, BLOCKED, WAITING), if present.</param>
/// <param name="TerminationCode">Jobs 2.2 <c>status.termination_details.code</c>, if present.</param>
/// <param name="TerminationType">Jobs 2.2 <c>status.termination_details.type</c> (SUCCESS, INTERNAL_ERROR, CLIENT_ERROR, CLOUD_FAILURE), if present.</param>
/// <param name="TerminationMessage">Jobs 2.2 <c>status.termination_details.message</c>, if present.</param>
/// <param name="QueueCode">Jobs 2.2 <c>status.queue_details.code</c> while queued (ACTIVE_RUNS_LIMIT_REACHED, MAX_CONCURRENT_RUNS_REACHED, ACTIVE_RUN_JOB_TASKS_LIMIT_REACHED), if present.</param>
/// <param name="QueueMessage">Jobs 2.2 <c>status.queue_details.message</c>, if present.</param>
public sealed record DatabricksRunState(
    long DatabricksRunId,
    string? LifeCycleState,
    string? ResultState,
    string? StateMessage,
    string? RunPageUrl,
    string? StatusState = null,
    string? TerminationCode = null,
    string? TerminationType = null,
    string? TerminationMessage = null,
    string? QueueCode = null,
    string? QueueMessage = null)
{
    /// <summary>True when the response carried the Jobs 2.2 <c>status</c> object (then it decides).</summary>
    public bool HasStatus => !string.IsNullOrEmpty(StatusState);
}
