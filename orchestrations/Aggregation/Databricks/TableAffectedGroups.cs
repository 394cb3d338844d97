using System.Globalization;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// The affected groups of a Databricks refresh, from the aggregate refresh's own computation
/// (<see cref="AffectedGroups.ComputeAsync"/>): the group keys in the curated files added or removed after the curated
/// version the aggregate table records (<see cref="AggregateTableLog.ReflectedCuratedVersionAsync"/>, whichever engine
/// wrote it) up to <c>curatedVersion</c>. Unknown (null: the job refreshes fully) when every group is affected (no
/// aggregate yet, a gap in the curated log, a vacuumed file, no group-by) or when the aggregate records a different
/// aggregation spec than the run's.
/// </summary>
public sealed class TableAffectedGroups(DatasetTables tables, TableFileCache cache, PipelineOptions options) : IAffectedGroups
{
    public Task<AffectedGroupSet?> ComputeAsync(string dataset, DatasetDefinition definition, long curatedVersion, CancellationToken cancellationToken = default) =>
        ComputeAsync(tables.Curated(dataset), tables.Aggregate(dataset), definition.Aggregation, curatedVersion, cache, options.WorkDirectory, cancellationToken);

    /// <summary>The same over explicit table stores (tests, tools).</summary>
    public static async Task<AffectedGroupSet?> ComputeAsync(
        IDeltaStore curated, IDeltaStore aggregate, AggregationSpec spec, long curatedVersion, TableFileCache cache, string workDirectory, CancellationToken cancellationToken = default)
    {
        var snapshot = await DeltaLog.ReadSnapshotAsync(aggregate, cancellationToken: cancellationToken);

        // The DuckDB refresh records the spec's hash; Spark leaves the configuration as it was. A different hash means the
        // recorded rows were computed by another spec: recompute all of them (without a hash, the job's own schema check decides).
        if (snapshot is not null
            && snapshot.Metadata.Configuration.TryGetValue(AggregateTableLog.SpecHashKey, out var hash)
            && hash != AggregateTableLog.SpecHash(spec))
        {
            return null;
        }

        var reflected = await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, snapshot, cancellationToken);
        using var work = new WorkDirectory(workDirectory, $"affected-{curatedVersion}");
        var groups = await AffectedGroups.ComputeAsync(curated, spec, reflected, curatedVersion, cache, work.Path, cancellationToken);
        return ToJobKeys(groups);
    }

    /// <summary>
    /// <see cref="AffectedGroups"/> as the job parameter contract wants them: null when every group is affected, else the
    /// group-by names and one row of invariant strings per group (none: nothing to refresh), timestamps converted by
    /// <see cref="JobValue"/>. Null too when a value cannot be converted (a full refresh is always right).
    /// </summary>
    public static AffectedGroupSet? ToJobKeys(AffectedGroups groups)
    {
        if (groups.All)
        {
            return null;
        }

        var keys = new List<IReadOnlyList<string?>>(groups.Keys.Count);
        foreach (var key in groups.Keys)
        {
            var row = new string?[key.Count];
            for (var i = 0; i < row.Length; i++)
            {
                if (!TryJobValue(key[i], groups.KeyTypes.Count > i ? groups.KeyTypes[i] : DeltaTypes.String, out row[i]))
                {
                    return null;
                }
            }

            keys.Add(row);
        }

        return new AffectedGroupSet(groups.KeyColumns, keys);
    }

    /// <summary>
    /// One key value for the job: <see cref="AffectedGroups"/> renders timestamps as UTC <c>yyyy-MM-dd HH:mm:ss.ffffff</c>
    /// (a form DuckDB reads back); the job contract, and Spark's CAST whatever the session time zone, want ISO 8601 UTC
    /// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>. Other types pass unchanged (numbers, booleans, dates are already invariant text).
    /// </summary>
    public static string? JobValue(string? value, string deltaType) =>
        TryJobValue(value, deltaType, out var converted) ? converted : throw new FormatException($"'{value}' is not a UTC timestamp yyyy-MM-dd HH:mm:ss.ffffff");

    private static bool TryJobValue(string? value, string deltaType, out string? converted)
    {
        converted = value;
        if (value is null || deltaType != DeltaTypes.Timestamp)
        {
            return true;
        }

        if (!DateTime.TryParseExact(value, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return false;
        }

        converted = instant.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        return true;
    }
}
