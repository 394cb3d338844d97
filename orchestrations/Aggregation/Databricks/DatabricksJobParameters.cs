using System.Globalization;
using System.Text.Json;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// The job parameter contract of <c>tributary_aggregate</c> (databricks/databricks.yml, databricks/src/aggregate.py): pure,
/// so it is tested without storage; <see cref="PrepareDatabricksRunActivity"/> does the I/O around it.
/// </summary>
public static class DatabricksJobParameters
{
    public const string Dataset = "dataset";
    public const string RunId = "run_id";
    public const string CuratedTable = "curated_table";
    public const string CuratedVersion = "curated_version";
    public const string AggregateTable = "aggregate_table";
    public const string AggregationSql = "aggregation_sql";
    public const string AffectedKeys = "affected_keys";
    public const string AffectedKeysPath = "affected_keys_path";
    public const string AffectedPredicate = "affected_predicate";
    public const string SummaryPath = "summary_path";

    /// <summary>Every parameter, each sent on every run (empty when it does not apply).</summary>
    public static IReadOnlyList<string> Names { get; } =
        [Dataset, RunId, CuratedTable, CuratedVersion, AggregateTable, AggregationSql, AffectedKeys, AffectedKeysPath, AffectedPredicate, SummaryPath];

    /// <summary>Keys inline in <c>affected_keys</c> up to this many and <see cref="InlineKeysMaxChars"/>; beyond, a file.</summary>
    public const int InlineKeysMax = 50;

    /// <summary>Job parameters are small (the Jobs API bounds their size): larger key documents go to a file.</summary>
    public const int InlineKeysMaxChars = 4_000;

    /// <summary>Above this many affected groups a full recompute is cheaper than a predicate over them.</summary>
    public const int FullRefreshAbove = 100_000;

    private static readonly JsonSerializerOptions KeysJson = new() { WriteIndented = false };

    /// <summary>
    /// The parameters for a refresh of <paramref name="request"/>'s dataset to its curated version, and the keys file to
    /// write first (at <see cref="StorageLayout.AggregateRefreshKeys"/>) when the affected groups are many.
    /// No curated version (a run planned before dataset tables) or unknown groups: a full refresh of the latest version.
    /// </summary>
    public static (Dictionary<string, string> Parameters, KeysFile? File) Build(
        AggregationRequest request, AggregationSpec spec, DatabricksAggregationSettings settings, AffectedGroupSet? affected)
    {
        var parameters = new Dictionary<string, string>
        {
            [Dataset] = request.Dataset,
            [RunId] = request.RunId,
            [CuratedTable] = settings.UrlOf(BlobContainers.Curated, StorageLayout.CuratedTableRoot(request.Dataset)),
            [CuratedVersion] = request.CuratedVersion?.ToString(CultureInfo.InvariantCulture) ?? "",
            [AggregateTable] = settings.UrlOf(BlobContainers.Results, StorageLayout.AggregateTableRoot(request.Dataset)),
            [AggregationSql] = AggregationSqlCompiler.Compile(spec, SqlDialect.Spark),
            [AffectedKeys] = "",
            [AffectedKeysPath] = "",
            [AffectedPredicate] = "",
            [SummaryPath] = settings.UrlOf(BlobContainers.Results, StorageLayout.DatabricksJobSummary(request.Dataset, request.RunId)),
        };

        if (request.CuratedVersion is null || affected is null || spec.GroupBy.Count == 0)
        {
            return (parameters, null); // full refresh
        }

        var groupKeys = spec.GroupBy.Select(g => g.Name).ToList();
        if (!affected.Columns.SequenceEqual(groupKeys, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"affected groups of '{request.Dataset}' name the columns [{string.Join(", ", affected.Columns)}], but the aggregation groups by [{string.Join(", ", groupKeys)}]");
        }

        if (affected.Keys.Count == 0 && !string.IsNullOrWhiteSpace(affected.SparkPredicate))
        {
            parameters[AffectedPredicate] = affected.SparkPredicate;
            return (parameters, null);
        }

        if (affected.Keys.Count > FullRefreshAbove)
        {
            return (parameters, null);
        }

        var document = KeysDocument(request, affected);
        if (affected.Keys.Count <= InlineKeysMax && document.Length <= InlineKeysMaxChars)
        {
            parameters[AffectedKeys] = document;
            return (parameters, null);
        }

        var name = StorageLayout.AggregateRefreshKeys(request.Dataset, request.RunId);
        parameters[AffectedKeysPath] = settings.UrlOf(BlobContainers.Results, name);
        return (parameters, new KeysFile(BlobContainers.Results, name, document));
    }

    /// <summary><c>{"dataset", "runId", "curatedVersion", "columns": [...], "keys": [[...], ...]}</c> (aggregate.py reads columns and keys).</summary>
    public static string KeysDocument(AggregationRequest request, AffectedGroupSet affected) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["dataset"] = request.Dataset,
        ["runId"] = request.RunId,
        ["curatedVersion"] = request.CuratedVersion,
        ["columns"] = affected.Columns,
        ["keys"] = affected.Keys,
    }, KeysJson);

    /// <summary>A keys file the job reads, to be written before the run starts.</summary>
    public sealed record KeysFile(string Container, string Name, string Content);
}
