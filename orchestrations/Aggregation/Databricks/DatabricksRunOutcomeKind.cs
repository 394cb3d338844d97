using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>What the orchestrator should do about a Databricks run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatabricksRunOutcomeKind>))]
public enum DatabricksRunOutcomeKind
{
    /// <summary>Not started yet (PENDING, QUEUED, BLOCKED, WAITING_FOR_RETRY): keep polling.</summary>
    Pending,

    /// <summary>Executing (RUNNING, TERMINATING, or a state this code does not know): keep polling.</summary>
    Running,

    /// <summary>TERMINATED with SUCCESS: read the results.</summary>
    Succeeded,

    /// <summary>Any other terminal state: fail the aggregation step.</summary>
    Failed,
}
