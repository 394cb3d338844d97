using System.Text.Json;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>The small summary an aggregation writes beside its results (results/{dataset}/run={runId}/summary.json).</summary>
public sealed record AggregationSummary(string Engine, string? EngineRunId, long Rows, string ResultPath, JsonElement Preview);
