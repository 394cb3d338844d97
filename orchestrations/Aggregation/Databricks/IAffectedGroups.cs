using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Which groups of a dataset's aggregate a refresh to <c>curatedVersion</c> must recompute: the group keys present in the
/// curated files added or removed since the aggregate's last refresh. The seam through which the Databricks engine gets
/// them from the aggregate refresh's own computation (<see cref="TableAffectedGroups"/>).
/// </summary>
public interface IAffectedGroups
{
    /// <summary>The affected groups, or null when they are not known (then the engine recomputes everything).</summary>
    Task<AffectedGroupSet?> ComputeAsync(string dataset, DatasetDefinition definition, long curatedVersion, CancellationToken cancellationToken = default);
}

/// <summary>
/// Affected groups of an aggregate: the group-key columns (the aggregation's <c>groupBy</c> names, in order) and one row
/// of values per group. Values are invariant strings (numbers as written by <c>ToString(InvariantCulture)</c>, booleans
/// <c>true</c>/<c>false</c>, timestamps ISO 8601 in UTC such as <c>2026-01-01T10:00:00.000000Z</c>, dates
/// <c>yyyy-MM-dd</c>) or null; the job casts each to its column's type.
/// </summary>
/// <param name="SparkPredicate">Alternatively a Spark SQL predicate over those columns (used when <paramref name="Keys"/> is empty).</param>
public sealed record AffectedGroupSet(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Keys, string? SparkPredicate = null);
