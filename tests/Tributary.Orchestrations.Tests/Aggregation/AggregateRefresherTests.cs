using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Aggregation;

/// <summary>
/// The dataset aggregate over an in-memory curated table: after every curated commit and refresh, the aggregate table
/// equals the spec computed in C# over the raw rows of the active inputs.
/// </summary>
public sealed class AggregateRefresherTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-refresh-").FullName;
    private readonly InMemoryDeltaStore curatedStore = new();
    private readonly InMemoryDeltaStore aggregate = new();
    private readonly CuratedTestTable curated;
    private readonly AggregateRefresher refresher;

    public AggregateRefresherTests()
    {
        curated = new CuratedTestTable(curatedStore, work);
        refresher = NewRefresher();
    }

    private AggregateRefresher NewRefresher(Func<string, Task>? beforeCommit = null) =>
        new(new TableFileCache(Path.Combine(work, "cache")), new PipelineOptions { WorkDirectory = work }) { BeforeCommit = beforeCommit };

    private Task<AggregateRefreshResult> RefreshAsync(long version, AggregateRefresher? with = null, bool full = false) =>
        (with ?? refresher).RefreshAsync(curatedStore, aggregate, CuratedTestTable.Spec, version, $"run-for-{version}", full);

    private async Task AssertAggregateIsExactAsync() =>
        Assert.Equal(AggregateOracle.Expected(curated.ActiveRows), await AggregateOracle.ActualAsync(aggregate, work));

    [Fact]
    public async Task After_adds_an_overwrite_and_removals_each_refresh_equals_the_spec_over_the_raw_rows()
    {
        // Inputs a and b span days 1–3; c is alone on day 5, so removing it makes its groups vanish.
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 300)));
        var first = await RefreshAsync(v0);
        Assert.True(first.Committed && first.Full, "the first refresh computes everything");
        await AssertAggregateIsExactAsync();

        var v1 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 200)), ("c.csv", CuratedTestTable.Rows(3, 50, firstDay: 5, days: 1)));
        var second = await RefreshAsync(v1);
        Assert.False(second.Full);
        await AssertAggregateIsExactAsync();

        // b is re-uploaded with other content (remove + add of the same input in one commit).
        var v2 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(20, 120)));
        await RefreshAsync(v2);
        await AssertAggregateIsExactAsync();

        // c is withdrawn: its day-5 groups disappear from the aggregate.
        var v3 = await curated.RemoveInputAsync("c.csv");
        var fourth = await RefreshAsync(v3);
        Assert.Equal(4, fourth.GroupsRefreshed); // day 5 × (books, games, music, null)
        await AssertAggregateIsExactAsync();
        Assert.DoesNotContain(await AggregateOracle.ActualAsync(aggregate, work), row => row.StartsWith("2026-03-05", StringComparison.Ordinal));

        // A new input on day 1 only refreshes day-1 groups.
        var v4 = await curated.CommitRunAsync(("d.csv", CuratedTestTable.Rows(4, 30, firstDay: 1, days: 1)));
        var fifth = await RefreshAsync(v4);
        Assert.False(fifth.Full);
        Assert.InRange(fifth.GroupsRefreshed, 1, 4);
        await AssertAggregateIsExactAsync();

        // Everything removed: an empty aggregate.
        await curated.RemoveInputAsync("a.csv");
        await curated.RemoveInputAsync("b.csv");
        var v7 = await curated.RemoveInputAsync("d.csv");
        await RefreshAsync(v7);
        Assert.Empty(await AggregateOracle.ActualAsync(aggregate, work));

        // One refresh commit per refreshed version, each recording the curated version it reflects.
        var history = await DeltaLog.ReadHistoryAsync(aggregate);
        Assert.Equal([v0, v1, v2, v3, v4, v7], history.Select(h => h.Field(AggregateTableLog.CuratedVersionField)!.Value.GetInt64()));
        Assert.All(history, h => Assert.Equal(AggregateTableLog.RefreshOperation, h.Operation));

        // Also as userMetadata, the one commitInfo field Spark's history shows (the Databricks job records it there too).
        Assert.Equal([v0, v1, v2, v3, v4, v7], history.Select(h => System.Text.Json.JsonDocument.Parse(h.Field(AggregateTableLog.UserMetadataField)!.Value.GetString()!).RootElement.GetProperty("curatedVersion").GetInt64()));
        Assert.Equal($$"""{"curatedVersion":{{v7}}}""", history[^1].Field(AggregateTableLog.UserMetadataField)!.Value.GetString());
    }

    [Fact]
    public async Task An_incremental_refresh_over_many_rows_fits_a_small_duckdb_memory_limit()
    {
        // Selecting the affected groups' rows once held every curated row in DuckDB (a correlated EXISTS); a 2 GB gzip
        // (23 M rows) then failed its refresh at the default 128 MB limit. Here 400,000 rows against 24 MB.
        var small = new AggregateRefresher(new TableFileCache(Path.Combine(work, "cache")), new PipelineOptions { WorkDirectory = work, DuckDbMemoryLimit = "24MB" });
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 300)));
        await RefreshAsync(v0, small);
        var v1 = await curated.CommitRunAsync(("big.csv", CuratedTestTable.Rows(2, 400_000)));

        var refreshed = await RefreshAsync(v1, small);

        Assert.False(refreshed.Full);
        await AssertAggregateIsExactAsync();
    }

    [Fact]
    public async Task Groups_computed_in_batches_by_key_hash_equal_the_spec_over_the_raw_rows()
    {
        // 100 rows per batch: 300 rows make 3 batches, 550 make 6 (the quantile and count_distinct then hold a share).
        var batched = new AggregateRefresher(new TableFileCache(Path.Combine(work, "cache")), new PipelineOptions { WorkDirectory = work, RefreshRowsPerBatch = 100 });
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 300)));
        var first = await RefreshAsync(v0, batched);
        Assert.True(first.Full);
        Assert.Equal(3, first.Batches);
        await AssertAggregateIsExactAsync();

        var v1 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 200)), ("c.csv", CuratedTestTable.Rows(3, 50, firstDay: 5, days: 1)));
        var second = await RefreshAsync(v1, batched);
        Assert.False(second.Full);
        Assert.Equal(6, second.Batches);
        await AssertAggregateIsExactAsync();

        await RefreshAsync(await curated.RemoveInputAsync("c.csv"), batched);
        await AssertAggregateIsExactAsync();
        Assert.Equal(1, (await RefreshAsync(await curated.CommitRunAsync(("d.csv", CuratedTestTable.Rows(4, 30))))).Batches);
        await AssertAggregateIsExactAsync();
    }

    [Fact]
    public async Task A_refresh_for_an_older_curated_version_than_reflected_does_nothing()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 100)));
        var v1 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 100)));
        var newer = await RefreshAsync(v1);

        var older = await RefreshAsync(v0);
        var again = await RefreshAsync(v1);

        Assert.False(older.Committed);
        Assert.False(again.Committed);
        Assert.Equal(v1, older.CuratedVersion);
        Assert.Equal(newer.AggregateVersion, (await DeltaLog.ReadSnapshotAsync(aggregate))!.Version);
        await AssertAggregateIsExactAsync();
    }

    [Fact]
    public async Task A_refresh_that_fails_between_writing_its_file_and_committing_is_redone_once_on_retry()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 200)));
        await RefreshAsync(v0);
        var v1 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(11, 150)), ("b.csv", CuratedTestTable.Rows(2, 80)));

        string? orphan = null;
        var crashing = NewRefresher(path =>
        {
            orphan = path;
            throw new IOException("killed between upload and commit");
        });
        await Assert.ThrowsAsync<IOException>(() => RefreshAsync(v1, crashing));
        Assert.NotNull(await aggregate.ReadAsync(orphan!));
        Assert.Equal(0, (await DeltaLog.ReadSnapshotAsync(aggregate))!.Version);

        var retried = await RefreshAsync(v1);
        var replayed = await RefreshAsync(v1);

        Assert.True(retried.Committed);
        Assert.False(replayed.Committed);
        await AssertAggregateIsExactAsync();
        var snapshot = (await DeltaLog.ReadSnapshotAsync(aggregate))!;
        Assert.DoesNotContain(snapshot.ActiveFiles.Values, a => a.StoragePath == orphan);
        Assert.Equal(2, (await DeltaLog.ReadHistoryAsync(aggregate)).Count);
    }

    [Fact]
    public async Task Affected_groups_are_the_keys_of_added_and_removed_files_and_their_predicate_selects_them()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 100, firstDay: 1, days: 1)), ("b.csv", CuratedTestTable.Rows(2, 100, firstDay: 2, days: 1)));
        var v1 = await curated.CommitRunAsync(("a.csv", [new SaleRow(1, new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.Zero), "it's", "c1", 1m, 1)]));
        var cache = new TableFileCache(Path.Combine(work, "cache"));

        var affected = await AffectedGroups.ComputeAsync(curatedStore, CuratedTestTable.Spec, v0, v1, cache, work);
        var everything = await AffectedGroups.ComputeAsync(curatedStore, CuratedTestTable.Spec, null, v1, cache, work);
        var nothing = await AffectedGroups.ComputeAsync(curatedStore, CuratedTestTable.Spec, v1, v1, cache, work);

        // Day 1 groups come from the removed part of a.csv, the day-3 one from its new part; b.csv is untouched.
        Assert.Equal(["day", "category"], affected.KeyColumns);
        Assert.Equal([DeltaTypes.Timestamp, DeltaTypes.String], affected.KeyTypes);
        Assert.Contains(affected.Keys, k => k[0] == "2026-03-03 00:00:00.000000" && k[1] == "it's");
        Assert.Contains(affected.Keys, k => k[0] == "2026-03-01 00:00:00.000000" && k[1] is null);
        Assert.DoesNotContain(affected.Keys, k => k[0]!.StartsWith("2026-03-02", StringComparison.Ordinal));
        Assert.True(everything.All);
        Assert.Equal("TRUE", everything.Predicate(SqlDialect.Spark));
        Assert.True(nothing.IsEmpty);
        Assert.Equal("FALSE", nothing.Predicate(SqlDialect.DuckDb));

        var spark = affected.Predicate(SqlDialect.Spark);
        Assert.Contains("(`day` = TIMESTAMP '2026-03-03 00:00:00.000000Z' AND `category` = 'it\\'s')", spark);
        Assert.Contains("`category` IS NULL", spark);
        Assert.Contains("date_trunc('DAY', `sold_at`) = TIMESTAMP", affected.Predicate(SqlDialect.Spark, CuratedTestTable.Spec));

        // The DuckDB predicate, run over the aggregate at v1, selects exactly the affected groups.
        await RefreshAsync(v1);
        var snapshot = (await DeltaLog.ReadSnapshotAsync(aggregate))!;
        var files = new List<string>();
        foreach (var add in snapshot.ActiveFiles.Values)
        {
            files.Add((await cache.GetAsync(aggregate, add.StoragePath, add.Size))!);
        }

        using var connection = DuckDbTables.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}]) WHERE {affected.Predicate(SqlDialect.DuckDb)}";
        // Day 1 vanished with a.csv's old part: only the day-3 group is left to select.
        Assert.Equal(1L, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_changed_spec_recomputes_everything_and_a_full_refresh_commits_even_when_up_to_date()
    {
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 100)));
        await RefreshAsync(v0);
        var v1 = await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 100)));
        var changedSpec = CuratedTestTable.Spec with { Measures = [.. CuratedTestTable.Spec.Measures.Take(2)] };

        var changed = await refresher.RefreshAsync(curatedStore, aggregate, changedSpec, v1, "r", full: false);
        Assert.True(changed.Full);
        var columns = (await DeltaLog.ReadSnapshotAsync(aggregate))!.Metadata.Schema.Fields.Select(f => f.Name);
        Assert.Equal(["day", "category", "sales", "customers"], columns);

        var back = await RefreshAsync(v1, full: true);
        Assert.True(back.Committed && back.Full);
        Assert.Single((await DeltaLog.ReadSnapshotAsync(aggregate))!.ActiveFiles);
        await AssertAggregateIsExactAsync();
    }

    [Fact]
    public async Task Many_small_refreshes_keep_the_aggregate_to_a_few_files()
    {
        for (var i = 0; i < 12; i++)
        {
            // Each input lands on its own day, so every refresh adds groups without touching earlier files.
            var version = await curated.CommitRunAsync(($"day{i}.csv", CuratedTestTable.Rows(i + 1, 20, firstDay: i + 1, days: 1)));
            var refresh = await RefreshAsync(version);

            // The other days' files are skipped by their stats.
            Assert.Equal(1, refresh.CuratedFilesRead);
            Assert.InRange((await DeltaLog.ReadSnapshotAsync(aggregate))!.ActiveFiles.Count, 1, AggregateRefresher.CompactAbove);
        }

        await AssertAggregateIsExactAsync();
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
