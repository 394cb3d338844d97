using System.Diagnostics;
using System.Text.Json;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>Checkpoints as the protocol's "Checkpoint Schema" and "Last Checkpoint File Schema" describe them.</summary>
public sealed class DeltaCheckpointTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tributary-delta-checkpoint-test-").FullName;

    [Fact]
    public async Task The_checkpoint_has_the_protocols_columns_and_types_one_action_per_row()
    {
        var store = new InMemoryDeltaStore();
        for (var i = 0; i < 10; i++)
        {
            await DeltaCommitter.CommitAsync(store, $"run-{i}", DeltaTestTables.Plan([DeltaTestTables.Add($"run={i}/part 0.parquet", rows: i + 1)], s => i == 5 ? ["run=1/part%200.parquet"] : []), DeltaCommitOptions.Default, CancellationToken.None);
        }

        var result = await DeltaCommitter.CommitAsync(store, "run-10", DeltaTestTables.Plan([DeltaTestTables.Add("run=10/part.parquet")]), DeltaCommitOptions.Default, CancellationToken.None);
        Assert.Equal(10, result.Version);
        Assert.True(result.CheckpointWritten);

        var last = JsonDocument.Parse((await store.ReadAsync(DeltaPaths.LastCheckpoint))!.ToString()).RootElement;
        Assert.Equal(10, last.GetProperty("version").GetInt64());
        // protocol + metaData + 11 txns + 10 live adds + 1 tombstone
        Assert.Equal(1 + 1 + 11 + 10 + 1, last.GetProperty("size").GetInt64());

        var parquet = Path.Combine(folder, "cp.parquet");
        await File.WriteAllBytesAsync(parquet, (await store.ReadAsync(DeltaPaths.Checkpoint(10)))!.ToArray());
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();

        var columns = Query(connection, $"DESCRIBE SELECT * FROM read_parquet('{parquet}')").ToDictionary(r => r[0], r => r[1]);
        Assert.Equal(["txn", "add", "remove", "metaData", "protocol"], columns.Keys);
        Assert.Equal("STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)", columns["txn"]);
        Assert.Equal("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, tags MAP(VARCHAR, VARCHAR), stats VARCHAR)", columns["add"]);
        Assert.Equal("STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)", columns["remove"]);
        Assert.Equal("STRUCT(id VARCHAR, \"name\" VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, \"options\" MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], \"configuration\" MAP(VARCHAR, VARCHAR), createdTime BIGINT)", columns["metaData"]);
        Assert.Equal("STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)", columns["protocol"]);

        // Parquet's own view: maps are MAP-annotated groups, the stats a UTF-8 string.
        var schema = Query(connection, $"SELECT name, converted_type FROM parquet_schema('{parquet}')");
        Assert.Contains(schema, r => r[0] == "partitionValues" && r[1] == "MAP");
        Assert.Contains(schema, r => r[0] == "stats" && r[1] == "UTF8");

        // Exactly one action per row.
        var perRow = Query(connection, $"SELECT (txn IS NOT NULL)::INT + (\"add\" IS NOT NULL)::INT + (remove IS NOT NULL)::INT + (metaData IS NOT NULL)::INT + (protocol IS NOT NULL)::INT FROM read_parquet('{parquet}')");
        Assert.Equal(24, perRow.Count);
        Assert.All(perRow, r => Assert.Equal("1", r[0]));
        Assert.Equal("run=3/part%200.parquet|{}|4", Query(connection, $"SELECT \"add\".path || '|' || CAST(to_json(\"add\".partitionValues) AS VARCHAR) || '|' || CAST(json_extract(\"add\".stats, '$.numRecords') AS VARCHAR) FROM read_parquet('{parquet}') WHERE \"add\".path LIKE 'run=3/%'")[0][0]);
        Assert.Equal("1|2", Query(connection, $"SELECT protocol.minReaderVersion || '|' || protocol.minWriterVersion FROM read_parquet('{parquet}') WHERE protocol IS NOT NULL")[0][0]);
    }

    [Fact]
    public async Task A_snapshot_reads_the_same_from_checkpoints_from_a_listing_and_from_the_json_commits_alone()
    {
        var store = new InMemoryDeltaStore();
        for (var i = 0; i < 25; i++)
        {
            var n = i;
            // Every third commit replaces an earlier file, so adds, removes and re-adds all go through checkpoints.
            await DeltaCommitter.CommitAsync(
                store,
                $"run-{n}",
                DeltaTestTables.Plan([DeltaTestTables.Add($"run={n}/part-0.parquet", rows: n), DeltaTestTables.Add($"run={n}/part 1.parquet", rows: 1)], s => n % 3 == 0 && n > 0 ? [$"run={n - 2}/part-0.parquet", $"run={n - 1}/part%201.parquet"] : []),
                DeltaCommitOptions.Default,
                CancellationToken.None);
        }

        var withCheckpoint = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(24, withCheckpoint.Version);
        Assert.Equal(20, withCheckpoint.CheckpointVersion);
        Assert.Equal(50 - 16, withCheckpoint.ActiveFiles.Count);
        Assert.Equal(16, withCheckpoint.Tombstones.Count);

        await store.DeleteAsync(DeltaPaths.LastCheckpoint);
        var fromListing = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(20, fromListing.CheckpointVersion);

        await store.DeleteAsync(DeltaPaths.Checkpoint(10));
        await store.DeleteAsync(DeltaPaths.Checkpoint(20));
        var replayed = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Null(replayed.CheckpointVersion);

        Assert.Equal(DeltaTestTables.Describe(replayed), DeltaTestTables.Describe(withCheckpoint));
        Assert.Equal(DeltaTestTables.Describe(replayed), DeltaTestTables.Describe(fromListing));

        // Time travel: an older version reads the same however it is reached.
        Assert.Equal(12, (await DeltaLog.ReadSnapshotAsync(store, 12))!.Version);
        Assert.Null(await DeltaLog.ReadSnapshotAsync(store, 25));
    }

    [Fact]
    public async Task A_snapshot_after_1000_commits_reads_the_checkpoint_and_only_the_commits_after_it()
    {
        var store = new InMemoryDeltaStore();
        for (var i = 0; i < 1000; i++)
        {
            var n = i;
            await DeltaCommitter.CommitAsync(store, $"run-{n}", DeltaTestTables.Plan([DeltaTestTables.Add($"run={n}/part-0.parquet")], s => n % 2 == 1 ? [$"run={n - 1}/part-0.parquet"] : []), DeltaCommitOptions.Default, CancellationToken.None);
        }

        // A new store instance: nothing cached, as a fresh process would read it. The cost that matters is how many
        // objects a reader fetches (each a storage round trip), not the time on this machine (that is bench/'s job).
        var reader = new PassThroughStore(store);
        var snapshot = (await DeltaLog.ReadSnapshotAsync(reader))!;

        Assert.Equal(999, snapshot.Version);
        Assert.Equal(990, snapshot.CheckpointVersion);
        Assert.Equal(500, snapshot.ActiveFiles.Count);
        Assert.Equal(1000, snapshot.Transactions.Count);
        // _last_checkpoint, the checkpoint, commits 991-999 and the absent 1000 that ends the log; without the
        // checkpoint it would be 1,000 commits.
        Assert.Equal(12, reader.Reads);
    }

    [Fact]
    public async Task A_failed_checkpoint_does_not_fail_the_commit()
    {
        var store = new CheckpointRefusingStore();
        Exception? reported = null;
        var options = DeltaCommitOptions.Default with { CheckpointInterval = 2, OnCheckpointFailed = (_, e) => reported = e };
        for (var i = 0; i < 3; i++)
        {
            var result = await DeltaCommitter.CommitAsync(store, $"run-{i}", DeltaTestTables.Plan([DeltaTestTables.Add($"p{i}.parquet")]), options, CancellationToken.None);
            Assert.Equal(i, result.Version);
            Assert.False(result.CheckpointWritten);
        }

        Assert.IsType<IOException>(reported);
        Assert.Equal(2, (await DeltaLog.ReadSnapshotAsync(store))!.Version);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static List<string[]> Query(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        }

        return rows;
    }

    private sealed class PassThroughStore(IDeltaStore inner) : IDeltaStore
    {
        public int Reads { get; private set; }

        public Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default)
        {
            Reads++;
            return inner.ReadAsync(path, cancellationToken);
        }

        public Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => inner.CreateIfAbsentAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, cancellationToken);

        public IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
    }

    private sealed class CheckpointRefusingStore : IDeltaStore
    {
        private readonly InMemoryDeltaStore inner = new();

        public Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAsync(path, cancellationToken);

        public Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => inner.CreateIfAbsentAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => throw new IOException("storage refuses checkpoints");

        public IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
    }
}
