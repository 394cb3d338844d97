using System.Text.Json;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>The commit files we write, checked field by field against the protocol's action schemas (PROTOCOL.md "Actions").</summary>
public sealed class DeltaLogFormatTests
{
    [Fact]
    public async Task Every_action_has_the_protocols_required_fields_with_their_types_one_single_key_object_per_line()
    {
        var store = new InMemoryDeltaStore();
        await DeltaTestTables.CommitAsync(store, "run-1", DeltaTestTables.Add("run=1/part-0.parquet", rows: 5));
        await DeltaCommitter.CommitAsync(store, "run-2", DeltaTestTables.Plan([DeltaTestTables.Add("run=2/part-0.parquet")], _ => ["run=1/part-0.parquet"]), DeltaCommitOptions.Default, CancellationToken.None);

        var first = await DeltaTestTables.CommitLinesAsync(store, 0);
        var second = await DeltaTestTables.CommitLinesAsync(store, 1);
        var actions = first.Concat(second).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        foreach (var action in actions)
        {
            Assert.Equal(JsonValueKind.Object, action.ValueKind);
            Assert.Single(action.EnumerateObject());
        }

        Assert.Equal(["commitInfo", "protocol", "metaData", "txn", "add"], first.Select(Key));
        Assert.Equal(["commitInfo", "txn", "remove", "add"], second.Select(Key));

        var protocol = Body(actions, "protocol");
        Assert.Equal(1, protocol.GetProperty("minReaderVersion").GetInt32());
        Assert.Equal(2, protocol.GetProperty("minWriterVersion").GetInt32());
        Assert.False(protocol.TryGetProperty("readerFeatures", out _));
        Assert.False(protocol.TryGetProperty("writerFeatures", out _));

        var metaData = Body(actions, "metaData");
        Assert.True(Guid.TryParse(metaData.GetProperty("id").GetString(), out _));
        Assert.Equal("parquet", metaData.GetProperty("format").GetProperty("provider").GetString());
        Assert.Equal(JsonValueKind.Object, metaData.GetProperty("format").GetProperty("options").ValueKind);
        Assert.Equal(JsonValueKind.String, metaData.GetProperty("schemaString").ValueKind);
        Assert.Equal(JsonValueKind.Array, metaData.GetProperty("partitionColumns").ValueKind);
        Assert.Equal(JsonValueKind.Object, metaData.GetProperty("configuration").ValueKind);
        Assert.Equal(JsonValueKind.Number, metaData.GetProperty("createdTime").ValueKind);

        var add = Body(actions, "add");
        Assert.Equal("run=1/part-0.parquet", add.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Object, add.GetProperty("partitionValues").ValueKind);
        Assert.True(add.GetProperty("size").TryGetInt64(out _));
        Assert.True(add.GetProperty("modificationTime").TryGetInt64(out var modified));
        Assert.InRange(modified, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(JsonValueKind.True, add.GetProperty("dataChange").ValueKind);
        // stats is a JSON document carried as a string, not a nested object.
        Assert.Equal(JsonValueKind.String, add.GetProperty("stats").ValueKind);
        Assert.Equal(5, JsonDocument.Parse(add.GetProperty("stats").GetString()!).RootElement.GetProperty("numRecords").GetInt64());

        var remove = Body(actions, "remove");
        Assert.Equal("run=1/part-0.parquet", remove.GetProperty("path").GetString());
        Assert.True(remove.GetProperty("deletionTimestamp").TryGetInt64(out _));
        Assert.Equal(JsonValueKind.True, remove.GetProperty("dataChange").ValueKind);
        Assert.Equal(JsonValueKind.True, remove.GetProperty("extendedFileMetadata").ValueKind);
        Assert.Equal(JsonValueKind.Object, remove.GetProperty("partitionValues").ValueKind);
        Assert.Equal(1005, remove.GetProperty("size").GetInt64());

        var txn = Body(actions, "txn");
        Assert.Equal("run-1", txn.GetProperty("appId").GetString());
        Assert.Equal(0, txn.GetProperty("version").GetInt64());
        Assert.True(txn.GetProperty("lastUpdated").TryGetInt64(out _));

        var commitInfo = JsonDocument.Parse(second[0]).RootElement.GetProperty("commitInfo");
        Assert.True(commitInfo.GetProperty("timestamp").TryGetInt64(out _));
        Assert.Equal("WRITE", commitInfo.GetProperty("operation").GetString());
        Assert.Equal(JsonValueKind.Object, commitInfo.GetProperty("operationParameters").ValueKind);
        Assert.Equal(0, commitInfo.GetProperty("readVersion").GetInt64());
        Assert.Equal("run", commitInfo.GetProperty("runId").GetString());
        Assert.Equal("incoming/a.csv", commitInfo.GetProperty("inputs")[0].GetString());
        Assert.False(JsonDocument.Parse(first[0]).RootElement.GetProperty("commitInfo").TryGetProperty("readVersion", out _));
    }

    [Theory]
    [InlineData("run=1/part 0.parquet", "run=1/part%200.parquet")]
    [InlineData("zone=Zürich/ä ö.parquet", "zone=Z%C3%BCrich/%C3%A4%20%C3%B6.parquet")]
    [InlineData("a%b#c?d+e.parquet", "a%25b%23c%3Fd%2Be.parquet")]
    public async Task Paths_are_relative_URIs_that_decode_back_to_the_storage_path(string storagePath, string uri)
    {
        Assert.Equal(uri, DeltaPaths.Encode(storagePath));
        Assert.Equal(storagePath, System.Net.WebUtility.UrlDecode(uri));

        var store = new InMemoryDeltaStore();
        await DeltaTestTables.CommitAsync(store, "run", DeltaTestTables.Add(storagePath));
        var add = JsonDocument.Parse((await DeltaTestTables.CommitLinesAsync(store, 0)).Single(l => Key(l) == "add")).RootElement.GetProperty("add");
        Assert.Equal(uri, add.GetProperty("path").GetString());
        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(storagePath, snapshot.ActiveFiles[uri].StoragePath);
    }

    [Fact]
    public void Absolute_paths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DeltaPaths.Encode("/abs/part.parquet"));
        Assert.Throws<ArgumentException>(() => DeltaPaths.Encode("abfss://c@a.dfs.core.windows.net/part.parquet"));
    }

    [Fact]
    public void Log_file_names_are_zero_padded_to_20_digits()
    {
        Assert.Equal("_delta_log/00000000000000000000.json", DeltaPaths.Commit(0));
        Assert.Equal("_delta_log/00000000000000000123.checkpoint.parquet", DeltaPaths.Checkpoint(123));
        Assert.Equal(123, DeltaPaths.CommitVersion("_delta_log/00000000000000000123.json"));
        Assert.Null(DeltaPaths.CommitVersion("_delta_log/00000000000000000123.crc"));
        Assert.Null(DeltaPaths.CheckpointVersion("_delta_log/00000000000000000010.checkpoint.0000000001.0000000002.parquet"));
    }

    /// <summary>
    /// The shape of a Spark-written table (as in Delta's golden tables): commitInfo with Spark's fields, protocol (1, 2),
    /// metaData, adds without stats, a remove, and actions and fields we do not know. Written by hand from the spec.
    /// </summary>
    [Fact]
    public async Task A_spark_shaped_log_reads_faithfully_and_unknown_actions_and_fields_are_ignored()
    {
        var schema = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"part\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}";
        var version0 = string.Join('\n',
            "{\"commitInfo\":{\"timestamp\":1600000000000,\"operation\":\"WRITE\",\"operationParameters\":{\"mode\":\"ErrorIfExists\",\"partitionBy\":\"[\\\"part\\\"]\"},\"isolationLevel\":\"Serializable\",\"isBlindAppend\":true,\"operationMetrics\":{\"numFiles\":\"2\"},\"engineInfo\":\"Apache-Spark/3.5.0 Delta-Lake/3.0.0\",\"txnId\":\"5c8a3e4f-0000-4000-8000-000000000001\"}}",
            "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}",
            "{\"metaData\":{\"id\":\"testId\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":" + JsonSerializer.Serialize(schema) + ",\"partitionColumns\":[\"part\"],\"configuration\":{},\"createdTime\":1600000000000}}",
            "{\"add\":{\"path\":\"part=0/part-00000-a.c000.snappy.parquet\",\"partitionValues\":{\"part\":\"0\"},\"size\":500,\"modificationTime\":1600000000000,\"dataChange\":true}}",
            "{\"add\":{\"path\":\"part=1/part-00000-b.c000.snappy.parquet\",\"partitionValues\":{\"part\":\"1\"},\"size\":501,\"modificationTime\":1600000000000,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":3}\",\"tags\":null,\"deletionVector\":null,\"baseRowId\":null,\"defaultRowCommitVersion\":null,\"clusteringProvider\":null}}",
            "");
        var version1 = string.Join('\n',
            "{\"commitInfo\":{\"timestamp\":1600000001000,\"operation\":\"DELETE\",\"operationParameters\":{\"predicate\":\"[\\\"(part = 0)\\\"]\"},\"readVersion\":0,\"isolationLevel\":\"Serializable\",\"isBlindAppend\":false}}",
            "{\"remove\":{\"path\":\"part=0/part-00000-a.c000.snappy.parquet\",\"deletionTimestamp\":1600000001000,\"dataChange\":true,\"extendedFileMetadata\":true,\"partitionValues\":{\"part\":\"0\"},\"size\":500}}",
            "{\"domainMetadata\":{\"domain\":\"example\",\"configuration\":\"{}\",\"removed\":false}}",
            "{\"cdc\":{\"path\":\"_change_data/cdc-0.parquet\",\"partitionValues\":{},\"size\":10,\"dataChange\":false}}",
            "{\"txn\":{\"appId\":\"stream-1\",\"version\":42,\"somethingNew\":true}}",
            "");
        var store = new InMemoryDeltaStore();
        await store.WriteAsync(DeltaPaths.Commit(0), BinaryData.FromString(version0));
        await store.WriteAsync(DeltaPaths.Commit(1), BinaryData.FromString(version1));

        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(1, snapshot.Version);
        Assert.Equal(new DeltaProtocol(1, 2), snapshot.Protocol);
        Assert.Equal("testId", snapshot.Metadata.Id);
        Assert.Equal(["part"], snapshot.Metadata.PartitionColumns);
        Assert.Equal([("id", "long"), ("part", "integer")], snapshot.Metadata.Schema.Fields.Select(f => (f.Name, f.Type)));
        var live = Assert.Single(snapshot.ActiveFiles.Values);
        Assert.Equal("part=1/part-00000-b.c000.snappy.parquet", live.Path);
        Assert.Equal("1", live.PartitionValues["part"]);
        Assert.Equal(3, live.NumRecords);
        Assert.Equal(500, snapshot.Tombstones["part=0/part-00000-a.c000.snappy.parquet"].Size);
        Assert.Equal(42, snapshot.Transactions["stream-1"].Version);
        Assert.Equal(1, snapshot.CommittedIn("stream-1"));
        Assert.Empty((await DeltaLog.ReadSnapshotAsync(store, 0))!.Tombstones);

        var history = await DeltaLog.ReadHistoryAsync(store);
        Assert.Equal(["WRITE", "DELETE"], history.Select(h => h.Operation));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1600000001000), history[1].Timestamp);
        Assert.Equal((2, 0, (long?)null), (history[0].FilesAdded, history[0].FilesRemoved, history[0].RowsAdded));
        Assert.Equal("2", history[0].Field("operationMetrics")!.Value.GetProperty("numFiles").GetString());

        // Our writer continues the table: txn of another app and the Spark metadata stay.
        var result = await DeltaCommitter.CommitAsync(store, "run-x", s => new DeltaCommitPlan([DeltaTestTables.Add("part=2/ours.parquet")], []), DeltaCommitOptions.Default, CancellationToken.None);
        Assert.Equal(2, result.Version);
        var after = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal("testId", after.Metadata.Id);
        Assert.Equal(2, after.ActiveFiles.Count);
    }

    [Fact]
    public async Task A_table_that_needs_a_newer_reader_is_refused_and_a_missing_table_is_null()
    {
        var store = new InMemoryDeltaStore();
        Assert.Null(await DeltaLog.ReadSnapshotAsync(store));
        await store.WriteAsync(DeltaPaths.Commit(0), BinaryData.FromString(
            "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\"]}}\n" +
            "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\",\"partitionColumns\":[],\"configuration\":{}}}\n"));
        await Assert.ThrowsAsync<NotSupportedException>(() => DeltaLog.ReadSnapshotAsync(store));
    }

    private static string Key(string line) => JsonDocument.Parse(line).RootElement.EnumerateObject().Single().Name;

    private static JsonElement Body(IEnumerable<JsonElement> actions, string key) =>
        actions.First(action => action.TryGetProperty(key, out _)).GetProperty(key);
}
