namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Answer of <c>POST /api/2.2/jobs/run-now</c>.</summary>
/// <param name="DatabricksRunId">The run id (the same one for a repeated idempotency token).</param>
/// <param name="NumberInJob">Sequence number of this run among the job's runs, when returned.</param>
public sealed record RunNowResult(long DatabricksRunId, long? NumberInJob);
