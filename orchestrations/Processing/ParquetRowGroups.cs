using DuckDB.NET.Data;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>One row group of a Parquet file: its rows and the bytes its column chunks occupy.</summary>
public sealed record ParquetRowGroup(int Id, long FirstRow, long Rows, long Start, long End);

/// <summary>
/// Reads a Parquet file's row groups from its footer. Works on a sparse local copy that holds only the
/// footer, so the planner never downloads the data.
/// </summary>
public static class ParquetRowGroups
{
    public static ReadOnlySpan<byte> Magic => "PAR1"u8;

    public static IReadOnlyList<ParquetRowGroup> Read(string localPath)
    {
        using var loan = DuckDbDatabases.Shared.Borrow(threads: 1);
        using var command = loan.Connection.CreateCommand();
        command.CommandText = $"""
            SELECT row_group_id, any_value(row_group_num_rows),
                   min(coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset)),
                   max(coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset) + total_compressed_size)
            FROM parquet_metadata({Literal(localPath)}) GROUP BY row_group_id ORDER BY row_group_id
            """;
        using var reader = command.ExecuteReader();
        var groups = new List<ParquetRowGroup>();
        long firstRow = 0;
        while (reader.Read())
        {
            var rows = reader.GetInt64(1);
            groups.Add(new ParquetRowGroup((int)reader.GetInt64(0), firstRow, rows, reader.GetInt64(2), reader.GetInt64(3)));
            firstRow += rows;
        }

        return groups;
    }

    /// <summary>Groups consecutive row groups into chunks of about <paramref name="targetBytes"/> compressed bytes.</summary>
    public static IReadOnlyList<IReadOnlyList<ParquetRowGroup>> Chunk(IReadOnlyList<ParquetRowGroup> groups, long targetBytes)
    {
        var chunks = new List<IReadOnlyList<ParquetRowGroup>>();
        var current = new List<ParquetRowGroup>();
        long bytes = 0;
        foreach (var group in groups)
        {
            current.Add(group);
            bytes += group.End - group.Start;
            if (bytes >= targetBytes)
            {
                chunks.Add(current);
                current = [];
                bytes = 0;
            }
        }

        if (current.Count > 0)
        {
            chunks.Add(current);
        }

        return chunks;
    }

    /// <summary>The length of the footer (metadata + length + magic) at the end of a file whose last 8 bytes are <paramref name="tail"/>.</summary>
    public static long FooterLength(ReadOnlySpan<byte> tail)
    {
        if (tail.Length != 8 || !tail[4..].SequenceEqual(Magic))
        {
            return -1;
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(tail[..4]) + 8L;
    }
}
