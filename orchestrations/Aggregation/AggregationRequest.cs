namespace Tributary.Orchestrations.Aggregation;

/// <summary>Aggregate the curated parts of one run with the dataset's aggregation spec.</summary>
public sealed record AggregationRequest(string RunId, string Dataset, IReadOnlyList<string> CuratedParts);
