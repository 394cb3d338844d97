using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Runs;

/// <summary>Where a run stands. Serialised by name everywhere (manifests, API, orchestration state).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Canceled,
}
