namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Output of <see cref="StartDatabricksRunActivity"/>; also carries the poll settings so the orchestrator stays deterministic.</summary>
/// <param name="DatabricksRunId">The started (or, on a repeat, the already started) Databricks run.</param>
/// <param name="NumberInJob">Sequence number of the run in the job, when returned.</param>
/// <param name="RunPageUrl">Link to the run in the workspace UI.</param>
/// <param name="IdempotencyToken">The token sent with run-now.</param>
/// <param name="PollSchedule">Delays between polls (from options at start time).</param>
/// <param name="RunTimeout">How long to poll before cancelling the run and failing.</param>
public sealed record StartDatabricksRunOutput(
    long DatabricksRunId,
    long? NumberInJob,
    string? RunPageUrl,
    string IdempotencyToken,
    DatabricksPollSchedule PollSchedule,
    TimeSpan RunTimeout);
