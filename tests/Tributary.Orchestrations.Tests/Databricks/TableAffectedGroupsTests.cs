using System.Text.Json;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Tests.Aggregation;

namespace Tributary.Orchestrations.Tests.Databricks;

/// <summary>
/// The Databricks engine's affected groups come from the aggregate refresh's own computation, mapped to the job
/// parameter contract (group-by names, invariant strings, timestamps ISO 8601 UTC).
/// </summary>
public sealed class TableAffectedGroupsTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-affected-").FullName;
    private readonly InMemoryDeltaStore curatedStore = new();
    private readonly InMemoryDeltaStore aggregate = new();
    private readonly CuratedTestTable curated;
    private readonly TableFileCache cache;

    public TableAffectedGroupsTests()
    {
        curated = new CuratedTestTable(curatedStore, work);
        cache = new TableFileCache(Path.Combine(work, "cache"));
    }

    private Task<AffectedGroupSet?> ComputeAsync(long version, AggregationSpec? spec = null) =>
        TableAffectedGroups.ComputeAsync(curatedStore, aggregate, spec ?? CuratedTestTable.Spec, version, cache, work);

    private Task<AggregateRefreshResult> RefreshAsync(long version) =>
        new AggregateRefresher(cache, new PipelineOptions { WorkDirectory = work }).RefreshAsync(curatedStore, aggregate, CuratedTestTable.Spec, version, $"run-{version}", full: false);

    [Fact]
    public async Task The_keys_of_files_changed_since_the_refreshed_version_travel_as_job_keys_with_ISO_UTC_timestamps()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", [new SaleRow(1, new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero), null, "c1", 1m, 1)]),
            ("b.csv", [new SaleRow(2, new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero), "books", "c2", 1m, 1)]));

        // Nothing refreshed yet: every group (null = full refresh).
        Assert.Null(await ComputeAsync(v0));

        await RefreshAsync(v0);
        var v1 = await curated.CommitRunAsync(("a.csv", [new SaleRow(3, new DateTimeOffset(2026, 3, 3, 23, 59, 59, TimeSpan.Zero), "it's", "c1", 1m, 1)]));
        var affected = await ComputeAsync(v1);

        Assert.NotNull(affected);
        Assert.Equal(["day", "category"], affected.Columns);
        Assert.Null(affected.SparkPredicate);

        // The removed part of a.csv (day 1, null category) and its new one (day 3); b.csv's day 2 is untouched.
        Assert.Equal(
            [["2026-03-01T00:00:00.000000Z", null], ["2026-03-03T00:00:00.000000Z", "it's"]],
            affected.Keys.Select(k => k.ToArray()).ToArray());

        // What the job reads (aggregate.py parse_keys): columns and keys, the timestamp as Spark casts it in any session zone.
        var document = JsonDocument.Parse(DatabricksJobParameters.KeysDocument(new AggregationRequest("r", "sales", [], CuratedVersion: v1), affected));
        Assert.Equal("2026-03-03T00:00:00.000000Z", document.RootElement.GetProperty("keys")[1][0].GetString());

        // Refreshed to v1 already: an empty key set (the job has nothing to refresh).
        await RefreshAsync(v1);
        Assert.Empty((await ComputeAsync(v1))!.Keys);
    }

    [Fact]
    public async Task The_version_a_Spark_commit_records_in_userMetadata_is_where_the_changes_start()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 40, firstDay: 1, days: 1)));
        var v1 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 40, firstDay: 2, days: 1)));

        // What Databricks writes: no commitInfo field of ours, only userMetadata, and no spec hash in the configuration.
        await DeltaCommitter.CommitAsync(aggregate, "spark", _ => DeltaCommitPlan.CreateTable(DeltaMetadata.Create(new DeltaSchema([new DeltaField("day", DeltaTypes.Timestamp)])), []) with
        {
            CommitInfo = new Dictionary<string, object?> { [AggregateTableLog.UserMetadataField] = $$"""{"curatedVersion":{{v0}},"engine":"databricks"}""" },
        });

        var affected = await ComputeAsync(v1);

        Assert.NotNull(affected);
        Assert.NotEmpty(affected.Keys);
        Assert.All(affected.Keys, k => Assert.StartsWith("2026-03-02T", k[0], StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_aggregate_computed_by_another_spec_is_recomputed_in_full()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 40)));
        await RefreshAsync(v0);
        var v1 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 40)));
        var other = new AggregationSpec { GroupBy = CuratedTestTable.Spec.GroupBy, Measures = [new MeasureSpec { Name = "sales", Function = "count" }] };

        Assert.NotNull(await ComputeAsync(v1));
        Assert.Null(await ComputeAsync(v1, other));
    }

    [Theory]
    [InlineData("2026-01-01 10:00:00.000000", "timestamp", "2026-01-01T10:00:00.000000Z")]
    [InlineData("1999-12-31 23:59:59.123456", "timestamp", "1999-12-31T23:59:59.123456Z")]
    [InlineData("2026-01-01", "date", "2026-01-01")]
    [InlineData("12.50", "decimal(10,2)", "12.50")]
    [InlineData("true", "boolean", "true")]
    [InlineData("2026-01-01 10:00:00.000000", "string", "2026-01-01 10:00:00.000000")]
    [InlineData(null, "timestamp", null)]
    public void Key_values_are_converted_in_one_place(string? value, string deltaType, string? expected) =>
        Assert.Equal(expected, TableAffectedGroups.JobValue(value, deltaType));

    [Fact]
    public void A_timestamp_that_cannot_be_read_makes_the_refresh_full_rather_than_wrong()
    {
        var groups = new AffectedGroups(["hour"], [DeltaTypes.Timestamp], [["not a time"]], false);
        Assert.Null(TableAffectedGroups.ToJobKeys(groups));
        Assert.Throws<FormatException>(() => TableAffectedGroups.JobValue("not a time", DeltaTypes.Timestamp));
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
