namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Interpretation of a <see cref="DatabricksRunState"/> (see <see cref="From"/>): keep polling, succeeded, or failed
/// with the failing state, message and run page URL. Serializable (activity output).
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="DatabricksRunId">The Databricks run id.</param>
/// <param name="State">
/// When terminal, a result in the classic vocabulary the manifests use (SUCCESS, FAILED, TIMEDOUT, CANCELED,
/// MAXIMUM_CONCURRENT_RUNS_REACHED, SKIPPED, INTERNAL_ERROR, SUCCESS_WITH_FAILURES, …); else the life-cycle state
/// (PENDING, QUEUED, RUNNING, …).
/// </param>
/// <param name="Message">Termination, queue or state message from Databricks.</param>
/// <param name="RunPageUrl">Link to the run in the workspace UI.</param>
/// <param name="TerminationCode">Jobs 2.2 <c>status.termination_details.code</c> (e.g. RUN_EXECUTION_ERROR, USER_CANCELED), when known.</param>
/// <param name="TerminationType">Jobs 2.2 <c>status.termination_details.type</c> (SUCCESS, CLIENT_ERROR, INTERNAL_ERROR, CLOUD_FAILURE), when known.</param>
public sealed record DatabricksRunOutcome(
    DatabricksRunOutcomeKind Kind,
    long DatabricksRunId,
    string State,
    string? Message,
    string? RunPageUrl,
    string? TerminationCode = null,
    string? TerminationType = null)
{
    /// <summary>True for <see cref="DatabricksRunOutcomeKind.Succeeded"/> and <see cref="DatabricksRunOutcomeKind.Failed"/>.</summary>
    public bool IsTerminal => Kind is DatabricksRunOutcomeKind.Succeeded or DatabricksRunOutcomeKind.Failed;

    /// <summary>
    /// Pure mapping of a run state to an outcome. The Jobs 2.2 <c>status</c> object wins; the deprecated <c>state</c>
    /// object is read only when <c>status</c> is absent.
    /// <para><c>status.state</c>: PENDING, QUEUED, BLOCKED, WAITING → Pending; RUNNING, TERMINATING, unknown states,
    /// TERMINATED without termination_details yet → Running; TERMINATED + code SUCCESS → Succeeded; TERMINATED + any other
    /// code → Failed. The failed outcome's <see cref="State"/> is the classic result_state when the response carries one,
    /// else the code mapped to that vocabulary (USER_CANCELED/CANCELED → CANCELED, MAX_CONCURRENT_RUNS_EXCEEDED →
    /// MAXIMUM_CONCURRENT_RUNS_REACHED, SKIPPED, INTERNAL_ERROR, SUCCESS_WITH_FAILURES; anything else → FAILED); the code
    /// itself is kept in <see cref="TerminationCode"/>.</para>
    /// <para>Classic <c>state</c>: PENDING, QUEUED, BLOCKED, WAITING_FOR_RETRY → Pending; RUNNING, TERMINATING, unknown,
    /// TERMINATED without result_state yet → Running; TERMINATED + SUCCESS → Succeeded; TERMINATED + any other result,
    /// SKIPPED, INTERNAL_ERROR → Failed.</para>
    /// SUCCESS_WITH_FAILURES counts as failed: some task failed, so the results may be incomplete.
    /// </summary>
    public static DatabricksRunOutcome From(DatabricksRunState run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.HasStatus ? FromStatus(run) : FromClassicState(run);
    }

    private static DatabricksRunOutcome FromClassicState(DatabricksRunState run)
    {
        var lifeCycle = run.LifeCycleState?.ToUpperInvariant() ?? "";
        var result = run.ResultState?.ToUpperInvariant();
        var message = run.StateMessage ?? run.TerminationMessage;
        switch (lifeCycle)
        {
            case "PENDING" or "QUEUED" or "BLOCKED" or "WAITING_FOR_RETRY":
                return new(DatabricksRunOutcomeKind.Pending, run.DatabricksRunId, lifeCycle, message, run.RunPageUrl);
            case "SKIPPED" or "INTERNAL_ERROR":
                return new(DatabricksRunOutcomeKind.Failed, run.DatabricksRunId, result ?? lifeCycle, message, run.RunPageUrl);
            case "TERMINATED" when result == "SUCCESS":
                return new(DatabricksRunOutcomeKind.Succeeded, run.DatabricksRunId, result, message, run.RunPageUrl);
            case "TERMINATED" when !string.IsNullOrEmpty(result):
                return new(DatabricksRunOutcomeKind.Failed, run.DatabricksRunId, result, message, run.RunPageUrl);
            default:
                // RUNNING, TERMINATING, TERMINATED without result yet, or a state added after this code was written:
                // keep polling; the orchestrator's overall timeout bounds this.
                return new(DatabricksRunOutcomeKind.Running, run.DatabricksRunId, lifeCycle.Length == 0 ? "UNKNOWN" : lifeCycle, message, run.RunPageUrl);
        }
    }

    private static DatabricksRunOutcome FromStatus(DatabricksRunState run)
    {
        var state = run.StatusState!.ToUpperInvariant();
        var code = string.IsNullOrEmpty(run.TerminationCode) ? null : run.TerminationCode.ToUpperInvariant();
        var type = run.TerminationType?.ToUpperInvariant();
        switch (state)
        {
            case "PENDING" or "QUEUED" or "BLOCKED" or "WAITING":
                return new(DatabricksRunOutcomeKind.Pending, run.DatabricksRunId, state, QueueMessage(run) ?? run.StateMessage, run.RunPageUrl);
            case "TERMINATED" when code == "SUCCESS":
                return new(DatabricksRunOutcomeKind.Succeeded, run.DatabricksRunId, "SUCCESS", run.TerminationMessage ?? run.StateMessage, run.RunPageUrl, code, type);
            case "TERMINATED" when code is not null:
                var result = string.IsNullOrEmpty(run.ResultState) ? ResultOf(code) : run.ResultState.ToUpperInvariant();
                return new(DatabricksRunOutcomeKind.Failed, run.DatabricksRunId, result, run.TerminationMessage ?? run.StateMessage, run.RunPageUrl, code, type);
            default:
                // RUNNING, TERMINATING, TERMINATED whose termination_details are not there yet, or a new state: keep polling.
                return new(DatabricksRunOutcomeKind.Running, run.DatabricksRunId, state, run.TerminationMessage ?? run.StateMessage, run.RunPageUrl, code, type);
        }
    }

    /// <summary>A termination code in the classic result-state vocabulary (what manifests and <see cref="AggregationStates.FromEngine"/> know).</summary>
    public static string ResultOf(string terminationCode) => terminationCode.ToUpperInvariant() switch
    {
        "SUCCESS" => "SUCCESS",
        "USER_CANCELED" or "CANCELED" => "CANCELED",
        "MAX_CONCURRENT_RUNS_EXCEEDED" => "MAXIMUM_CONCURRENT_RUNS_REACHED",
        "SKIPPED" => "SKIPPED",
        "INTERNAL_ERROR" => "INTERNAL_ERROR",
        "SUCCESS_WITH_FAILURES" => "SUCCESS_WITH_FAILURES",
        _ => "FAILED",
    };

    private static string? QueueMessage(DatabricksRunState run) => (run.QueueCode, run.QueueMessage) switch
    {
        (null or "", null or "") => null,
        (null or "", var message) => message,
        (var code, null or "") => $"queued: {code}",
        var (code, message) => $"queued: {code}: {message}",
    };
}
