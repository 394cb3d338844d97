namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Input of <see cref="StartDatabricksRunActivity"/>.</summary>
/// <param name="RunId">The Tributary run id; the idempotency token derives from it (and <paramref name="Attempt"/>).</param>
/// <param name="JobParameters">Job parameters of <c>tributary_aggregate</c> (<see cref="DatabricksJobParameters.Names"/>): dataset, run_id, curated_table, curated_version, aggregate_table, aggregation_sql, affected_keys, affected_keys_path, affected_predicate, summary_path.</param>
/// <param name="Attempt">0 for the first Databricks run of this Tributary run; raise it to deliberately start a new one after a failed run.</param>
/// <param name="JobId">Overrides <see cref="DatabricksJobsOptions.JobId"/> when set.</param>
public sealed record StartDatabricksRunInput(
    string RunId,
    IReadOnlyDictionary<string, string> JobParameters,
    int Attempt = 0,
    long? JobId = null);
