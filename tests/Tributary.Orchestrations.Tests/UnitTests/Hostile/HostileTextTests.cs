using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.UnitTests.Hostile;

/// <summary>
/// A generated corpus of hostile text and Parquet files through the real processing path (planner, staging, pre-pass,
/// DuckDB): each one is a whole-file reason or rejected rows with a reason, never an exception or an internal message.
/// </summary>
public sealed class HostileTextTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-hostile-").FullName;

    private static DatasetDefinition Orders(string format = "csv", int maxLineBytes = InputSpec.DefaultMaxLineBytes) =>
        TestDatasets.Orders(format) with { Input = TestDatasets.Orders(format).Input with { MaxLineBytes = maxLineBytes } };

    [Fact]
    public async Task A_line_longer_than_the_maximum_is_rejected_with_the_limit_and_the_other_rows_land()
    {
        var path = Path.Combine(work, "long.csv");
        await File.WriteAllTextAsync(path, $"id,amount,kind,note\n1,1.00,a,x\n2,1.00,a,{new string('y', 1_000_000)}\n3,1.00,b,z\n");

        var result = await ChunkRunResult.RunAsync(path, Orders(maxLineBytes: 64 * 1024), work);

        Assert.All(result.Chunks, c => Assert.Null(c.Outcome.FileProblem));
        Assert.Equal(["1", "3"], result.CuratedIds);
        var reject = Assert.Single(result.Rejected);
        Assert.Equal("the record is 1,000,010 bytes, longer than the dataset's maximum of 65,536 bytes per line (input.maxLineBytes)", reject.GetProperty("reasons")[0].GetString());
        Assert.Equal(3, reject.GetProperty("line").GetInt64());
        Assert.True(reject.GetProperty("original").GetString()!.Length < 70_000);
        Assert.EndsWith("… (cut: the record is 1,000,010 bytes)", reject.GetProperty("original").GetString());
    }

    [Fact]
    public async Task A_json_line_longer_than_the_maximum_is_rejected_with_the_limit()
    {
        var path = Path.Combine(work, "long.jsonl");
        await File.WriteAllTextAsync(path, $"{{\"id\": 1, \"amount\": 1}}\n{{\"id\": 2, \"amount\": 1, \"note\": \"{new string('y', 3_000_000)}\"}}\n");

        var result = await ChunkRunResult.RunAsync(path, Orders("jsonl", maxLineBytes: 1 << 20), work);

        Assert.Equal(["1"], result.CuratedIds);
        Assert.StartsWith("the record is 3,000,035 bytes, longer than the dataset's maximum of 1,048,576 bytes per line", Assert.Single(result.Rejected).GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task A_header_longer_than_the_maximum_is_a_file_problem()
    {
        var path = Path.Combine(work, "zeros.csv");
        await File.WriteAllBytesAsync(path, new byte[200_000]);

        var result = await ChunkRunResult.RunAsync(path, Orders(maxLineBytes: 64 * 1024), work);

        Assert.Equal("the header line is 200,000 bytes, longer than the dataset's maximum of 65,536 bytes per line (input.maxLineBytes)", Assert.Single(result.Chunks).Outcome.FileProblem);
    }

    /// <summary>The issue's case: a 500 MB single line (generated streaming) under the default limit.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_500_MB_single_line_is_rejected_with_the_limit()
    {
        var path = Path.Combine(work, "huge.csv");
        await using (var file = File.Create(path))
        {
            file.Write("id,amount,kind,note\n1,1.00,a,x\n2,1.00,a,"u8);
            var block = Encoding.ASCII.GetBytes(new string('y', 1 << 20));
            for (var i = 0; i < 500; i++)
            {
                file.Write(block);
            }

            file.Write("\n3,1.00,b,z\n"u8);
        }

        var result = await ChunkRunResult.RunAsync(path, Orders(), work);
        File.Delete(path);

        Assert.Equal(["1", "3"], result.CuratedIds);
        Assert.StartsWith("the record is 524,288,0", Assert.Single(result.Rejected).GetProperty("reasons")[0].GetString());
    }

    [Theory]
    [InlineData("string", "note")]
    [InlineData("long", "id")]
    [InlineData("decimal(10,2)", "amount")]
    public async Task Nested_json_in_a_scalar_column_is_rejected_whatever_its_type(string type, string column)
    {
        _ = type;
        var path = Path.Combine(work, "nested.jsonl");
        var value = "{\"a\": [1, 2]}";
        await File.WriteAllTextAsync(path,
            "{\"id\": 1, \"amount\": 1, \"note\": \"{not nested, a string}\"}\n" +
            $"{{\"id\": 2, \"amount\": 1, \"note\": \"n\", \"{column}\": {value}}}\n".Replace($"\"{column}\": 2, ", string.Empty, StringComparison.Ordinal).Replace($"\"{column}\": 1, ", string.Empty, StringComparison.Ordinal).Replace($"\"{column}\": \"n\", ", string.Empty, StringComparison.Ordinal) +
            "{\"id\": 3, \"amount\": 1, \"note\": [\"x\"]}\n");

        var result = await ChunkRunResult.RunAsync(path, Orders("jsonl"), work);

        Assert.Equal(["1"], result.CuratedIds);
        Assert.Equal(2, result.Rejected.Count);
        Assert.Contains($"{column}: a nested JSON object or array is not a scalar value", result.Rejected[0].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("note: a nested JSON object or array is not a scalar value", result.Rejected[1].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Invalid_utf8_is_a_rejected_row_with_a_reason()
    {
        var path = Path.Combine(work, "latin1.csv");
        await File.WriteAllBytesAsync(path, [.. "id,amount,kind,note\n1,1.00,a,ok\n2,1.00,a,caf"u8, 0xE9, .. "\n3,1.00,b,z\n"u8]);

        var result = await ChunkRunResult.RunAsync(path, Orders(), work);

        Assert.Equal(["1", "3"], result.CuratedIds);
        Assert.StartsWith("unreadable record: ", Assert.Single(result.Rejected).GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task An_empty_file_and_binary_garbage_named_csv_are_file_problems()
    {
        // The planner refuses an empty blob before reading it.
        var planner = new ChunkPlanner(null!, new PipelineOptions());
        Assert.Equal("the file is empty", planner.ProblemOf(new Storage.BlobReference("incoming", "orders/empty.csv", "etag", 0), Orders()));

        var garbage = Path.Combine(work, "garbage.csv");
        var bytes = new byte[300_000];
        new Random(16).NextBytes(bytes);
        await File.WriteAllBytesAsync(garbage, bytes);
        var problem = Assert.Single((await ChunkRunResult.RunAsync(garbage, Orders(), work)).Chunks.Select(c => c.Outcome.FileProblem).Distinct());
        Assert.NotNull(problem);
        Assert.DoesNotContain("cannot be accounted for", problem);
    }

    [Fact]
    public async Task A_header_of_10000_columns_or_not_matching_the_schema_is_a_file_problem()
    {
        var wide = Path.Combine(work, "wide.csv");
        var names = Enumerable.Range(1, 10_000).Select(i => $"c{i}").ToList();
        await File.WriteAllTextAsync(wide, string.Join(",", names) + "\n" + string.Join(",", names.Select(_ => "1")) + "\n");
        Assert.Equal("missing required columns: id, amount", Assert.Single((await ChunkRunResult.RunAsync(wide, Orders(), work)).Chunks).Outcome.FileProblem);

        var renamed = Path.Combine(work, "renamed.csv");
        await File.WriteAllTextAsync(renamed, "ID,Amount,kind,note\n1,1.00,a,x\n");
        Assert.Equal("missing required columns: id, amount", Assert.Single((await ChunkRunResult.RunAsync(renamed, Orders(), work)).Chunks).Outcome.FileProblem);
    }

    [Fact]
    public async Task Parquet_with_the_wrong_schema_or_a_corrupt_footer_is_a_file_problem()
    {
        var wrong = Path.Combine(work, "wrong.parquet");
        var good = Path.Combine(work, "good.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT 1 AS x, 'y' AS z) TO '{wrong}' (FORMAT parquet); COPY (SELECT 1 AS id, 1.5 AS amount) TO '{good}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        Assert.Equal("missing required columns: id, amount", Assert.Single((await ChunkRunResult.RunAsync(wrong, Orders(), work)).Chunks).Outcome.FileProblem);

        var bytes = await File.ReadAllBytesAsync(good);
        var cut = Path.Combine(work, "cut.parquet");
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length / 2)]);
        Assert.StartsWith("not a readable parquet file: ", await RunOrProblemAsync(cut));

        var footer = (int)ParquetRowGroups.FooterLength(bytes.AsSpan(bytes.Length - 8));
        Array.Fill(bytes, (byte)0x42, bytes.Length - 8 - footer, footer);
        var corrupt = Path.Combine(work, "corrupt.parquet");
        await File.WriteAllBytesAsync(corrupt, bytes);
        Assert.StartsWith("not a readable parquet file: ", await RunOrProblemAsync(corrupt));
    }

    private async Task<string?> RunOrProblemAsync(string path)
    {
        // LocalFileRunner reads the footer itself when planning (the planner quarantines with the same reason).
        try
        {
            return Assert.Single((await ChunkRunResult.RunAsync(path, Orders(), work)).Chunks).Outcome.FileProblem;
        }
        catch (DuckDBException ex)
        {
            return $"not a readable parquet file: {ex.Message.Split('\n')[0]}";
        }
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
