namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Interpretation of a <see cref="DatabricksRunState"/> (see <see cref="From"/>): keep polling, succeeded, or failed
/// with the failing state, message and run page URL. Serializable (activity output).
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="DatabricksRunId">The Databricks run id.</param>
/// <param name="State">Result state when terminal (e.g. FAILED, TIMEDOUT, CANCELED), else the life-cycle state (e.g. INTERNAL_ERROR, RUNNING).</param>
/// <param name="Message">State or termination message from Databricks.</param>
/// <param name="RunPageUrl">Link to the run in the workspace UI.</param>
public sealed record DatabricksRunOutcome(
    DatabricksRunOutcomeKind Kind,
    long DatabricksRunId,
    string State,
    string? Message,
    string? RunPageUrl)
{
    /// <summary>True for <see cref="DatabricksRunOutcomeKind.Succeeded"/> and <see cref="DatabricksRunOutcomeKind.Failed"/>.</summary>
    public bool IsTerminal => Kind is DatabricksRunOutcomeKind.Succeeded or DatabricksRunOutcomeKind.Failed;

    /// <summary>
    /// Pure mapping of a run state to an outcome. The classic <c>state</c> object wins; the Jobs 2.2 <c>status</c>
    /// object is used when the classic one is absent.
    /// <list type="bullet">
    /// <item>PENDING, QUEUED, BLOCKED, WAITING_FOR_RETRY → Pending</item>
    /// <item>RUNNING, TERMINATING, unknown states, TERMINATED without result_state yet → Running</item>
    /// <item>TERMINATED + SUCCESS → Succeeded</item>
    /// <item>TERMINATED + any other result (FAILED, TIMEDOUT, CANCELED, MAXIMUM_CONCURRENT_RUNS_REACHED, EXCLUDED,
    /// SUCCESS_WITH_FAILURES, UPSTREAM_FAILED, UPSTREAM_CANCELED, DISABLED …), SKIPPED, INTERNAL_ERROR → Failed</item>
    /// </list>
    /// SUCCESS_WITH_FAILURES counts as failed: some task failed, so the results may be incomplete.
    /// </summary>
    public static DatabricksRunOutcome From(DatabricksRunState run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return string.IsNullOrEmpty(run.LifeCycleState) && !string.IsNullOrEmpty(run.StatusState)
            ? FromStatus(run)
            : FromClassicState(run);
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
        var code = run.TerminationCode?.ToUpperInvariant();
        var message = run.TerminationMessage ?? run.StateMessage;
        return state switch
        {
            "PENDING" or "QUEUED" or "BLOCKED" or "WAITING" =>
                new(DatabricksRunOutcomeKind.Pending, run.DatabricksRunId, state, message, run.RunPageUrl),
            "TERMINATED" when code == "SUCCESS" =>
                new(DatabricksRunOutcomeKind.Succeeded, run.DatabricksRunId, code, message, run.RunPageUrl),
            "TERMINATED" when !string.IsNullOrEmpty(code) =>
                new(DatabricksRunOutcomeKind.Failed, run.DatabricksRunId, code, message, run.RunPageUrl),
            _ => new(DatabricksRunOutcomeKind.Running, run.DatabricksRunId, state, message, run.RunPageUrl),
        };
    }
}
