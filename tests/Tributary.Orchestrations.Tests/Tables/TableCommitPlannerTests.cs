using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;


namespace Tributary.Orchestrations.Tests.Tables;

/// <summary>The commit rule (TableCommitPlanner) through the real committer, against an in-memory Delta log.</summary>
public sealed class TableCommitPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly DeltaSchema Schema = new(new DeltaField("id", DeltaTypes.Long), new DeltaField("at", DeltaTypes.Timestamp), new DeltaField("fare", DeltaTypes.Decimal(10, 2)));

    private readonly InMemoryDeltaStore store = new();

    [Fact]
    public async Task The_first_run_creates_the_table_with_protocol_1_2_the_schema_and_tagged_adds()
    {
        var a = Input("taxi/a.csv", "e1", T0);
        var commit = await CommitAsync("run-1", [a], Parts("run-1", a, 0, 1));

        Assert.Equal((0L, 2, 0), (commit.Version, commit.FilesAdded, commit.FilesRemoved));
        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(DeltaProtocol.Default, snapshot.Protocol);
        Assert.Equal(Schema.ToSchemaString(), snapshot.Metadata.SchemaString);
        Assert.Empty(snapshot.Metadata.PartitionColumns);
        var add = snapshot.ActiveFiles.Values.OrderBy(f => f.Path).First();
        Assert.Equal("run=run-1/part-00000.parquet", add.StoragePath);
        Assert.Equal("run-1", add.Tags![PartTags.RunId]);
        Assert.Equal("taxi/a.csv", add.Tags[PartTags.Input]);
        Assert.Equal("e1", add.Tags[PartTags.ETag]);
        Assert.Equal(T0, PartTags.ModifiedOf(add.Tags));
        var history = await DeltaLog.ReadHistoryAsync(store);
        Assert.Equal("run-1", history.Single().Field("runId")!.Value.GetString());
        Assert.Equal(TableCommitPlanner.Operation, history.Single().Operation);
    }

    [Fact]
    public async Task A_newer_version_of_an_input_replaces_only_that_inputs_files()
    {
        var a1 = Input("taxi/a.csv", "e1", T0);
        var b1 = Input("taxi/b.csv", "e2", T0);
        await CommitAsync("run-1", [a1, b1], [.. Parts("run-1", a1, 0, 1), .. Parts("run-1", b1, 2)]);
        var a2 = Input("taxi/a.csv", "e3", T0.AddMinutes(5));

        var commit = await CommitAsync("run-2", [a2], Parts("run-2", a2, 0));

        Assert.Equal((1L, 1, 2), (commit.Version, commit.FilesAdded, commit.FilesRemoved));
        Assert.Equal(["run=run-1/part-00002.parquet", "run=run-2/part-00000.parquet"], await ActivePathsAsync());
    }

    [Fact]
    public async Task A_rerun_of_the_same_version_replaces_the_original()
    {
        var a = Input("taxi/a.csv", "e1", T0);
        await CommitAsync("run-1", [a], Parts("run-1", a, 0));

        var commit = await CommitAsync("rerun-1", [a], Parts("rerun-1", a, 0));

        Assert.Equal((1, 1), (commit.FilesAdded, commit.FilesRemoved));
        Assert.Equal(["run=rerun-1/part-00000.parquet"], await ActivePathsAsync());
    }

    [Fact]
    public async Task A_stale_run_adds_and_removes_nothing_for_an_input_the_table_holds_newer_and_says_so()
    {
        var a2 = Input("taxi/a.csv", "e2", T0.AddMinutes(5));
        await CommitAsync("run-new", [a2], Parts("run-new", a2, 0));
        var a1 = Input("taxi/a.csv", "e1", T0);
        var b1 = Input("taxi/b.csv", "e3", T0);

        var commit = await CommitAsync("run-old", [a1, b1], [.. Parts("run-old", a1, 0), .. Parts("run-old", b1, 1)]);

        Assert.Equal((1, 0), (commit.FilesAdded, commit.FilesRemoved));
        Assert.Equal(["taxi/a.csv"], commit.StaleInputs);
        Assert.Equal(["run=run-new/part-00000.parquet", "run=run-old/part-00001.parquet"], await ActivePathsAsync());
    }

    [Fact]
    public async Task Within_one_batch_only_the_newest_version_of_a_name_is_added()
    {
        var a1 = Input("taxi/a.csv", "e1", T0);
        var a2 = Input("taxi/a.csv", "e2", T0.AddSeconds(1));

        await CommitAsync("batch", [a2, a1], [.. Parts("batch", a1, 0), .. Parts("batch", a2, 1)]);

        Assert.Equal(["run=batch/part-00001.parquet"], await ActivePathsAsync());
    }

    [Fact]
    public async Task A_replayed_commit_finds_its_own_txn_and_writes_nothing()
    {
        var a = Input("taxi/a.csv", "e1", T0);
        await CommitAsync("run-1", [a], Parts("run-1", a, 0));

        var again = await CommitAsync("run-1", [a], Parts("run-1", a, 0));

        Assert.True(again.AlreadyCommitted);
        Assert.Equal(0, again.Version);
        Assert.Single(await DeltaLog.ReadHistoryAsync(store));
    }

    [Fact]
    public async Task A_lost_race_is_planned_again_against_the_newer_table()
    {
        var a1 = Input("taxi/a.csv", "e1", T0);
        var a2 = Input("taxi/a.csv", "e2", T0.AddMinutes(1));
        await CommitAsync("run-0", [Input("taxi/z.csv", "z", T0)], []);
        var snapshotBefore = await DeltaLog.ReadSnapshotAsync(store);

        // run-new commits between run-old's read and its write: run-old's retry must see a2 and stay away from it.
        var first = true;
        var result = await DeltaCommitter.CommitAsync(store, "run-old", snapshot =>
        {
            if (first)
            {
                first = false;
                DeltaCommitter.CommitAsync(store, "run-new", s => TableCommitPlanner.Plan(s, Request("run-new", [a2], Parts("run-new", a2, 0)), Schema, T0).Plan).GetAwaiter().GetResult();
            }

            return TableCommitPlanner.Plan(snapshot, Request("run-old", [a1], Parts("run-old", a1, 0)), Schema, T0).Plan;
        });

        Assert.Equal(1, result.Conflicts);
        Assert.Equal(0, snapshotBefore!.Version);
        Assert.Equal(["run=run-new/part-00000.parquet"], await ActivePathsAsync());
    }

    [Fact]
    public async Task New_nullable_columns_evolve_the_schema_inside_the_commit()
    {
        var a = Input("taxi/a.csv", "e1", T0);
        await CommitAsync("run-1", [a], Parts("run-1", a, 0));
        var wider = new DeltaSchema([.. Schema.Fields, new DeltaField("tip", DeltaTypes.Double)]);

        await CommitAsync("run-2", [Input("taxi/b.csv", "e2", T0)], Parts("run-2", Input("taxi/b.csv", "e2", T0), 0), wider);
        // A run frozen with the older definition still commits: its files read as null in the new column.
        await CommitAsync("run-3", [Input("taxi/c.csv", "e3", T0)], Parts("run-3", Input("taxi/c.csv", "e3", T0), 0));

        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(2, snapshot.Version);
        Assert.Equal(wider.ToSchemaString(), snapshot.Metadata.SchemaString);
    }

    [Fact]
    public async Task Any_other_schema_change_fails_naming_the_columns()
    {
        var a = Input("taxi/a.csv", "e1", T0);
        await CommitAsync("run-1", [a], Parts("run-1", a, 0));
        var changed = new DeltaSchema(new DeltaField("id", DeltaTypes.String), new DeltaField("at", DeltaTypes.Timestamp));

        var error = await Assert.ThrowsAsync<TableSchemaException>(() => CommitAsync("run-2", [a], Parts("run-2", a, 0), changed));

        Assert.Equal(["id", "fare"], error.Columns);
        Assert.Contains("column 'id' changes type from long to string", error.Message);
        Assert.Contains("column 'fare' is missing", error.Message);
        Assert.Single(await DeltaLog.ReadHistoryAsync(store));
    }

    private async Task<TableCommit> CommitAsync(string runId, IReadOnlyList<BlobReference> inputs, IReadOnlyList<TablePart> parts, DeltaSchema? schema = null)
    {
        IReadOnlyList<string> stale = [];
        var result = await DeltaCommitter.CommitAsync(store, runId, snapshot =>
        {
            var decision = TableCommitPlanner.Plan(snapshot, Request(runId, inputs, parts), schema ?? Schema, T0.AddHours(1));
            stale = decision.StaleInputs;
            return decision.Plan;
        });
        return new TableCommit(result.Version, result.FilesAdded, result.FilesRemoved, result.AlreadyCommitted, result.Conflicts, result.Attempts, stale);
    }

    private async Task<List<string>> ActivePathsAsync() =>
        (await DeltaLog.ReadSnapshotAsync(store))!.ActiveFiles.Values.Select(f => f.StoragePath).Order(StringComparer.Ordinal).ToList();

    private static CommitTableRequest Request(string runId, IReadOnlyList<BlobReference> inputs, IReadOnlyList<TablePart> parts) => new(runId, "taxi", "hash", inputs, parts);

    private static BlobReference Input(string name, string etag, DateTimeOffset modified) => new(BlobContainers.Incoming, name, etag, 100, modified);

    private static List<TablePart> Parts(string runId, BlobReference input, params int[] chunks) =>
        chunks.Select(c => new TablePart(c, input, 1000 + c, DeltaFileStats.RecordsOnly(10).ToJson())).ToList();
}
