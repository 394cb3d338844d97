using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// Classic single-file V1 checkpoints (<c>{version:D20}.checkpoint.parquet</c>): the reconciled state as one action per
/// row in struct columns txn, add, remove, metaData, protocol (Spark's column order). Written and read with DuckDB:
/// the actions go through NDJSON into typed structs, so the Parquet schema is the protocol's (maps as MAP, stats as a string).
/// </summary>
public static class DeltaCheckpoint
{
    /// <summary>The checkpoint schema as DuckDB types; remove carries no stats/tags in checkpoints, as the protocol says.</summary>
    public static readonly IReadOnlyList<(string Column, string Type)> Columns =
    [
        ("txn", "STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)"),
        ("add", "STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, tags MAP(VARCHAR, VARCHAR), stats VARCHAR)"),
        ("remove", "STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)"),
        ("metaData", "STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)"),
        ("protocol", "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)"),
    ];

    // Decoding a checkpoint with DuckDB costs 20–60 ms; a writer that commits in a loop reads the same checkpoint again
    // and again. Keyed by store instance and by the file's content hash, so a changed or deleted file is never served.
    private static readonly ConditionalWeakTable<IDeltaStore, StrongBox<(long Version, byte[] Hash, IReadOnlyList<DeltaAction> Actions)>> Recent = [];

    /// <summary>
    /// The actions a checkpoint of <paramref name="snapshot"/> holds: protocol, metadata, txns, live adds, and the
    /// tombstones not yet expired (older ones only matter to vacuum, which also catches unreferenced old files).
    /// </summary>
    public static IReadOnlyList<DeltaAction> Actions(DeltaSnapshot snapshot, TimeSpan tombstoneRetention, DateTimeOffset now)
    {
        var expiredBefore = DeltaJson.Millis(now - tombstoneRetention);
        var actions = new List<DeltaAction> { DeltaAction.Of(snapshot.Protocol), DeltaAction.Of(snapshot.Metadata) };
        actions.AddRange(snapshot.Transactions.Values.OrderBy(txn => txn.AppId, StringComparer.Ordinal).Select(DeltaAction.Of));
        actions.AddRange(snapshot.ActiveFiles.Values.OrderBy(add => add.Path, StringComparer.Ordinal).Select(DeltaAction.Of));
        actions.AddRange(snapshot.Tombstones.Values
            .Where(remove => (remove.DeletionTimestamp ?? long.MaxValue) >= expiredBefore)
            .OrderBy(remove => remove.Path, StringComparer.Ordinal)
            .Select(remove => DeltaAction.Of(remove with { Tags = null })));
        return actions;
    }

    /// <summary>Writes the checkpoint of the snapshot's version, then <c>_last_checkpoint</c> pointing at it.</summary>
    public static async Task<DeltaLastCheckpoint> WriteAsync(IDeltaStore store, DeltaSnapshot snapshot, TimeSpan tombstoneRetention, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var actions = Actions(snapshot, tombstoneRetention, now);
        var folder = Directory.CreateTempSubdirectory("tributary-delta-checkpoint-").FullName;
        try
        {
            var json = Path.Combine(folder, "actions.json");
            var parquet = Path.Combine(folder, "checkpoint.parquet");
            await File.WriteAllBytesAsync(json, DeltaLogFile.Write(actions).ToArray(), cancellationToken);

            await using (var connection = new DuckDBConnection("DataSource=:memory:"))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                var columns = string.Join(", ", Columns.Select(column => $"'{column.Column}': '{column.Type}'"));
                var select = string.Join(", ", Columns.Select(column => Quote(column.Column)));
                // One thread keeps the rows in the order we wrote them (protocol and metadata first).
                command.CommandText =
                    $"SET threads = 1; COPY (SELECT {select} FROM read_json('{Literal(json)}', format = 'newline_delimited', columns = {{{columns}}})) " +
                    $"TO '{Literal(parquet)}' (FORMAT parquet, COMPRESSION snappy)";
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var content = BinaryData.FromBytes(await File.ReadAllBytesAsync(parquet, cancellationToken));
            await store.WriteAsync(DeltaPaths.Checkpoint(snapshot.Version), content, cancellationToken);
            Remember(store, snapshot.Version, content, actions);
            var last = new DeltaLastCheckpoint(snapshot.Version, actions.Count)
            {
                SizeInBytes = content.ToMemory().Length,
                NumOfAddFiles = snapshot.ActiveFiles.Count,
            };
            await store.WriteAsync(DeltaPaths.LastCheckpoint, last.ToBinaryData(), cancellationToken);
            return last;
        }
        finally
        {
            TryDelete(folder);
        }
    }

    /// <summary>The actions of the checkpoint at <paramref name="version"/>, or null when there is none.</summary>
    public static async Task<IReadOnlyList<DeltaAction>?> ReadAsync(IDeltaStore store, long version, CancellationToken cancellationToken = default)
    {
        var content = await store.ReadAsync(DeltaPaths.Checkpoint(version), cancellationToken);
        if (content is null)
        {
            return null;
        }

        if (Recent.TryGetValue(store, out var recent) && recent.Value.Version == version && recent.Value.Hash.AsSpan().SequenceEqual(SHA256.HashData(content.ToMemory().Span)))
        {
            return recent.Value.Actions;
        }

        var folder = Directory.CreateTempSubdirectory("tributary-delta-checkpoint-").FullName;
        try
        {
            var parquet = Path.Combine(folder, "checkpoint.parquet");
            await File.WriteAllBytesAsync(parquet, content.ToArray(), cancellationToken);
            await using var connection = new DuckDBConnection("DataSource=:memory:");
            await connection.OpenAsync(cancellationToken);

            // Spark's checkpoints may lack a column (no txn ever) or have more (domainMetadata, stats_parsed): take what we know.
            var present = new HashSet<string>(StringComparer.Ordinal);
            await using (var describe = connection.CreateCommand())
            {
                describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{Literal(parquet)}')";
                await using var reader = await describe.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    present.Add(reader.GetString(0));
                }
            }

            var known = Columns.Select(column => column.Column).Where(present.Contains).ToList();
            if (known.Count == 0)
            {
                throw new InvalidDataException($"Checkpoint {version} has none of the columns {string.Join(", ", Columns.Select(c => c.Column))}.");
            }

            var actions = new List<DeltaAction>();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT CAST(json_object({string.Join(", ", known.Select(c => $"'{c}', {Quote(c)}"))}) AS VARCHAR) FROM read_parquet('{Literal(parquet)}')";
            await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await rows.ReadAsync(cancellationToken))
                {
                    var action = JsonSerializer.Deserialize<DeltaAction>(rows.GetString(0), DeltaJson.Options);
                    if (action is not null && !action.IsEmpty)
                    {
                        actions.Add(DeltaLogFile.Normalized(action));
                    }
                }
            }

            Remember(store, version, content, actions);
            return actions;
        }
        finally
        {
            TryDelete(folder);
        }
    }

    private static void Remember(IDeltaStore store, long version, BinaryData content, IReadOnlyList<DeltaAction> actions) =>
        Recent.AddOrUpdate(store, new StrongBox<(long, byte[], IReadOnlyList<DeltaAction>)>((version, SHA256.HashData(content.ToMemory().Span), actions)));

    private static string Quote(string identifier) => "\"" + identifier + "\"";

    private static string Literal(string path) => path.Replace("'", "''", StringComparison.Ordinal);

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; the OS cleans it eventually.
        }
    }
}
