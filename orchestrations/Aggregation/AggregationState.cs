using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>How an aggregation ended. The engine's own word (a Jobs API result state, for example) is kept beside it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AggregationState>))]
public enum AggregationState
{
    Succeeded,
    Failed,
    Canceled,
    TimedOut,

    /// <summary>The engine could not be used at all (not configured, unknown name).</summary>
    Unavailable,
}

/// <summary>Maps an engine's own terminal word to <see cref="AggregationState"/>.</summary>
public static class AggregationStates
{
    public static AggregationState FromEngine(string engineState) => engineState.ToUpperInvariant() switch
    {
        "SUCCESS" => AggregationState.Succeeded,
        "CANCELED" or "CANCELLED" or "UPSTREAM_CANCELED" => AggregationState.Canceled,
        "TIMEDOUT" => AggregationState.TimedOut,
        _ => AggregationState.Failed,
    };
}
