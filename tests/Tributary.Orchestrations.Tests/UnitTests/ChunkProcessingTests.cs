using System.IO.Compression;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>Adversarial files through the real processing path (planner, byte-range staging, pre-pass, DuckDB).</summary>
public sealed class ChunkProcessingTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-chunks-").FullName;

    [Theory]
    [InlineData("\n", 1)]
    [InlineData("\r\n", 1)]
    [InlineData("\n", 7)]
    [InlineData("\r\n", 13)]
    public async Task Quoted_newlines_at_chunk_boundaries_keep_every_row_once_with_true_lines(string eol, int targetBytes)
    {
        var text = new StringBuilder($"id,amount,kind,note{eol}");
        for (var i = 1; i <= 40; i++)
        {
            text.Append($"{i},1.50,a,\"line one{eol}line two, with comma {i}\"{eol}");
        }

        var result = await RunAsync("quoted.csv", text.ToString(), targetBytes);

        Assert.True(result.Chunks.Count > 1);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => i.ToString()), result.CuratedIds);
        Assert.Equal(40, result.Read);
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public async Task Rejected_rows_keep_their_original_line_position_and_exact_reasons()
    {
        var csv = "\uFEFFid,amount,kind,note\r\n" +
                  "1,10.00,a,fine\r\n" +
                  "\r\n" +
                  "2,abc,a,\"bad, amount\"\r\n" +
                  "3,120.5,c,\"two\r\nlines\"\r\n" +
                  "4,1.00,b\r\n" +
                  ",5.00,a,no id\r\n" +
                  "5,2.00,b,last without newline";
        var result = await RunAsync("orders.csv", csv, targetBytes: 20);

        Assert.Equal(["1", "5"], result.CuratedIds);
        Assert.Equal(6, result.Read);
        Assert.Equal(result.Read, result.Curated + result.RejectedCount);
        Assert.Collection(
            result.Rejected,
            r => AssertReject(r, line: 4, record: 2, "2,abc,a,\"bad, amount\"", "amount: 'abc' is not a decimal"),
            r => AssertReject(r, line: 5, record: 3, "3,120.5,c,\"two\r\nlines\"", "amount: 120.5 > max 100", "kind: 'c' is not one of a, b"),
            r => AssertReject(r, line: 7, record: 4, "4,1.00,b", "expected 4 fields, found 3"),
            r => AssertReject(r, line: 8, record: 5, ",5.00,a,no id", "id: required value is missing"));
    }

    [Fact]
    public async Task Json_lines_with_blank_lines_CRLF_BOM_and_bad_lines_are_each_accounted_for()
    {
        var lines = "\uFEFF{\"id\": 1, \"amount\": \"3.10\", \"kind\": \"a\"}\r\n" +
                    "\r\n" +
                    "{\"id\": 2, \"amount\": \"x\"}\r\n" +
                    "not json\n" +
                    "{\"id\": 3, \"amount\": 4}";
        var result = await RunAsync("orders.jsonl", lines, targetBytes: 10, format: "jsonl");

        Assert.All(result.Chunks, c => Assert.Null(c.Outcome.FileProblem));
        Assert.Equal(["1", "3"], result.CuratedIds);
        Assert.Equal(4, result.Read);
        Assert.Collection(
            result.Rejected,
            r => AssertReject(r, line: 3, record: 2, "{\"id\": 2, \"amount\": \"x\"}", "amount: 'x' is not a decimal"),
            r => AssertReject(r, line: 4, record: 3, "not json", "line is not a JSON object"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")] // a blank line: DuckDB then reads a clean copy, not the staged chunk
    public async Task A_record_duckdb_refuses_is_rejected_at_its_own_position(string blank)
    {
        var path = Path.Combine(work, "utf8.csv");
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes($"id,amount,kind,note\n1,1.00,a,x\n{blank}2,1.00,a,"));
        bytes.AddRange([0xC3, 0x28]);
        bytes.AddRange(Encoding.UTF8.GetBytes("\n3,1.00,b,y\n"));
        await File.WriteAllBytesAsync(path, bytes.ToArray());

        var result = await ChunkRunResult.RunAsync(path, TestDatasets.Orders(), work);

        Assert.Equal(["1", "3"], result.CuratedIds);
        var reject = Assert.Single(result.Rejected);
        Assert.Equal(blank.Length == 0 ? 3 : 4, reject.GetProperty("line").GetInt64());
        Assert.Equal(2, reject.GetProperty("record").GetInt64());
        Assert.StartsWith("unreadable record: ", reject.GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task A_very_long_line_is_one_record()
    {
        var note = new string('x', 3_000_000);
        var result = await RunAsync("long.csv", $"id,amount,kind,note\n1,1.00,a,{note}\n2,1.00,a,\"{note}\n{note}\"\n3,1.00,b,short\n", targetBytes: 1000);

        Assert.Equal(["1", "2", "3"], result.CuratedIds);
    }

    [Fact]
    public async Task Gzip_is_one_chunk_read_as_a_stream_and_a_corrupt_gzip_is_a_file_problem()
    {
        var path = Path.Combine(work, "orders.csv.gz");
        await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write("id,amount,kind,note\n1,1.00,a,x\n2,zz,a,y\n"u8);
        }

        var result = await ChunkRunResult.RunAsync(path, TestDatasets.Orders(), work);
        Assert.Single(result.Chunks);
        Assert.Equal(["1"], result.CuratedIds);
        Assert.Equal("amount: 'zz' is not a decimal", Assert.Single(result.Rejected).GetProperty("reasons")[0].GetString());

        // The whole file is quarantined with the reason (the activity does the same).
        var corrupt = Path.Combine(work, "corrupt.csv.gz");
        var bytes = File.ReadAllBytes(path);
        Array.Fill(bytes, (byte)0xFF, 12, 8);
        File.WriteAllBytes(corrupt, bytes);
        var problem = Assert.Single((await ChunkRunResult.RunAsync(corrupt, TestDatasets.Orders(), work)).Chunks).Outcome.FileProblem;
        Assert.StartsWith("truncated gzip: ", problem);
    }

    [Fact]
    public async Task A_file_with_only_a_header_or_not_csv_at_all_is_a_file_problem()
    {
        var headerOnly = await RunAsync("empty.csv", "id,amount,kind,note\n\n", targetBytes: null);
        Assert.Equal("the file has no data records", Assert.Single(headerOnly.Chunks).Outcome.FileProblem);

        var missing = await RunAsync("other.csv", "a,b\n1,2\n", targetBytes: null);
        Assert.Equal("missing required columns: id, amount", Assert.Single(missing.Chunks).Outcome.FileProblem);
    }

    [Fact]
    public async Task Parquet_with_several_row_groups_is_split_by_row_group_and_each_row_lands_once()
    {
        var path = Path.Combine(work, "orders.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                COPY (SELECT CAST(i AS VARCHAR) AS id, CASE WHEN i % 10 = 0 THEN 'bad' ELSE '1.25' END AS amount, 'a' AS kind, 'n' AS note
                      FROM range(1, 5001) t(i)) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000)
                """;
            command.ExecuteNonQuery();
        }

        var groups = ParquetRowGroups.Read(path);
        Assert.True(groups.Count >= 3, $"{groups.Count} row groups");

        var result = await ChunkRunResult.RunAsync(path, TestDatasets.Orders(), work, targetBytes: 1);
        Assert.Equal(groups.Count, result.Chunks.Count);
        Assert.Equal(5000, result.Read);
        Assert.Equal(4500, result.Curated);
        Assert.Equal(Enumerable.Range(1, 5000).Where(i => i % 10 != 0).Select(i => i.ToString()), result.CuratedIds);
        var first = result.Rejected[0];
        Assert.Equal(10, first.GetProperty("record").GetInt64());
        Assert.Equal("amount: 'bad' is not a decimal", first.GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public void A_parquet_chunk_reads_only_its_row_groups_from_a_sparse_copy()
    {
        var path = Path.Combine(work, "sparse-source.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT CAST(i AS VARCHAR) AS id, '1.00' AS amount FROM range(1, 3001) t(i)) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000)";
            command.ExecuteNonQuery();
        }

        // Keep only the magic, the footer and the second row group: everything else is zeros.
        var groups = ParquetRowGroups.Read(path);
        var bytes = File.ReadAllBytes(path);
        var footer = ParquetRowGroups.FooterLength(bytes.AsSpan(bytes.Length - 8));
        var sparse = new byte[bytes.Length];
        bytes.AsSpan(0, 4).CopyTo(sparse);
        bytes.AsSpan((int)(bytes.Length - footer)).CopyTo(sparse.AsSpan((int)(bytes.Length - footer)));
        var second = groups[1];
        bytes.AsSpan((int)second.Start, (int)(second.End - second.Start)).CopyTo(sparse.AsSpan((int)second.Start));
        var sparsePath = Path.Combine(work, "sparse.parquet");
        File.WriteAllBytes(sparsePath, sparse);

        var chunk = new LocalChunk(sparsePath, DataFormat.Parquet, "sparse.parquet", FirstRecord: second.FirstRow + 1, Rows: second.Rows);
        var outcome = new DuckDbChunkProcessor().Process(chunk, TestDatasets.Orders(), Path.Combine(work, "s.parquet"), Path.Combine(work, "s.jsonl"), work);

        Assert.Null(outcome.FileProblem);
        Assert.Equal((second.Rows, second.Rows, 0L), (outcome.RowsRead, outcome.RowsCurated, outcome.RowsRejected));
    }

    private async Task<ChunkRunResult> RunAsync(string name, string content, int? targetBytes, string format = "csv")
    {
        var path = Path.Combine(work, name);
        await File.WriteAllTextAsync(path, content, new UTF8Encoding(false));
        return await ChunkRunResult.RunAsync(path, TestDatasets.Orders(format), work, targetBytes);
    }

    private static void AssertReject(System.Text.Json.JsonElement row, long line, long record, string original, params string[] reasons)
    {
        Assert.Equal(line, row.GetProperty("line").GetInt64());
        Assert.Equal(record, row.GetProperty("record").GetInt64());
        Assert.Equal(original, row.GetProperty("original").GetString());
        Assert.Equal(reasons, row.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
