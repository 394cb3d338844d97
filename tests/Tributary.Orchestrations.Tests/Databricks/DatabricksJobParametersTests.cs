using System.Text.Json;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksJobParametersTests
{
    private static readonly DatabricksAggregationSettings Settings = new(true, "abfss://{container}@acct.dfs.core.windows.net");

    private static readonly AggregationSpec Spec = new()
    {
        GroupBy = [new GroupBySpec { Name = "zone", Column = "zone" }, new GroupBySpec { Name = "hour", Column = "pickup", DateTrunc = "hour" }],
        Measures = [new MeasureSpec { Name = "trips", Function = "count" }],
    };

    private static AggregationRequest Request(long? version = 12) => new("taxi-r1", "taxi", ["curated/taxi/run=taxi-r1/part-00000.parquet"], "hash", version);

    private static AffectedGroupSet Keys(int count) => new(
        ["zone", "hour"],
        [.. Enumerable.Range(0, count).Select(i => (IReadOnlyList<string?>)[i % 7 == 0 ? null : $"Z{i}", $"2026-01-01T{i % 24:D2}:00:00.000000Z"])]);

    [Fact]
    public void Every_parameter_is_sent_and_the_tables_and_version_come_from_the_request()
    {
        var (p, file) = DatabricksJobParameters.Build(Request(), Spec, Settings, Keys(3));

        Assert.Equal(DatabricksJobParameters.Names.Order(StringComparer.Ordinal), p.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("taxi", p["dataset"]);
        Assert.Equal("taxi-r1", p["run_id"]);
        Assert.Equal("abfss://curated@acct.dfs.core.windows.net/taxi/", p["curated_table"]);
        Assert.Equal("12", p["curated_version"]);
        Assert.Equal("abfss://results@acct.dfs.core.windows.net/taxi/aggregate/", p["aggregate_table"]);
        Assert.Equal(AggregationSqlCompiler.Compile(Spec, SqlDialect.Spark), p["aggregation_sql"]);
        Assert.Equal("abfss://results@acct.dfs.core.windows.net/taxi/run=taxi-r1/_databricks_summary.json", p["summary_path"]);
        Assert.Null(file);

        // Few keys travel inline, in the document aggregate.py parses.
        using var keys = JsonDocument.Parse(p["affected_keys"]);
        Assert.Equal(["zone", "hour"], keys.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, keys.RootElement.GetProperty("keys").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, keys.RootElement.GetProperty("keys")[0][0].ValueKind);
        Assert.Equal(12, keys.RootElement.GetProperty("curatedVersion").GetInt64());
        Assert.Equal(("", ""), (p["affected_keys_path"], p["affected_predicate"]));
    }

    [Fact]
    public void Many_keys_go_to_a_file_under_the_aggregate_table_named_by_the_run()
    {
        var (p, file) = DatabricksJobParameters.Build(Request(), Spec, Settings, Keys(DatabricksJobParameters.InlineKeysMax + 1));

        Assert.NotNull(file);
        Assert.Equal((BlobContainers.Results, "taxi/aggregate/_refresh/taxi-r1.json"), (file.Container, file.Name));
        Assert.Equal(StorageLayout.AggregateRefreshKeys("taxi", "taxi-r1"), file.Name);
        Assert.Equal("abfss://results@acct.dfs.core.windows.net/taxi/aggregate/_refresh/taxi-r1.json", p["affected_keys_path"]);
        Assert.Equal("", p["affected_keys"]);
        using var keys = JsonDocument.Parse(file.Content);
        Assert.Equal(DatabricksJobParameters.InlineKeysMax + 1, keys.RootElement.GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public void Full_refresh_when_groups_are_unknown_too_many_or_the_run_has_no_curated_version()
    {
        foreach (var (request, affected) in new (AggregationRequest, AffectedGroupSet?)[]
                 {
                     (Request(), null),
                     (Request(), Keys(DatabricksJobParameters.FullRefreshAbove + 1)),
                     (Request(version: null), Keys(2)),
                 })
        {
            var (p, file) = DatabricksJobParameters.Build(request, Spec, Settings, affected);

            Assert.Null(file);
            Assert.Equal(("", "", ""), (p["affected_keys"], p["affected_keys_path"], p["affected_predicate"]));
            Assert.Equal(request.CuratedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", p["curated_version"]);
        }
    }

    [Fact]
    public void A_predicate_is_passed_when_the_groups_come_as_one_and_mismatched_columns_are_refused()
    {
        var (p, _) = DatabricksJobParameters.Build(Request(), Spec, Settings, new AffectedGroupSet(["zone", "hour"], [], "`zone` = 'A'"));
        Assert.Equal("`zone` = 'A'", p["affected_predicate"]);

        Assert.Throws<ArgumentException>(() => DatabricksJobParameters.Build(Request(), Spec, Settings, new AffectedGroupSet(["hour", "zone"], [["x", "y"]])));
    }

    [Fact]
    public void The_recorded_curated_version_is_read_from_our_commitInfo_field_or_from_spark_userMetadata()
    {
        static DeltaCommitInfo Info(string fields) => new(0, "WRITE", new Dictionary<string, string>())
        {
            Fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(fields),
        };

        Assert.Equal(7, AggregateTableLog.CuratedVersionOf(Info("""{"curatedVersion": 7}""")));
        Assert.Equal(9, AggregateTableLog.CuratedVersionOf(Info("""{"userMetadata": "{\"curatedVersion\":9,\"engine\":\"databricks\"}"}""")));
        Assert.Null(AggregateTableLog.CuratedVersionOf(Info("""{"userMetadata": "hand-written note"}""")));
        Assert.Null(AggregateTableLog.CuratedVersionOf(Info("""{"runId": "x"}""")));
        Assert.Null(AggregateTableLog.CuratedVersionOf(null));
    }
}
