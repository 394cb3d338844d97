namespace Tributary.Orchestrations.Aggregation;

/// <summary>Aggregate the curated parts of one run with the aggregation spec of the definition frozen for the run.</summary>
/// <param name="CuratedVersion">The curated table version the run committed; the aggregate is refreshed to reflect it.</param>
public sealed record AggregationRequest(string RunId, string Dataset, IReadOnlyList<string> CuratedParts, string? DefinitionHash = null, long? CuratedVersion = null);
