using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Aggregation;

/// <summary>One raw row of the test dataset (the oracle's input, kept beside the table).</summary>
public sealed record SaleRow(long Id, DateTimeOffset At, string? Category, string Customer, decimal Amount, int Quantity);

/// <summary>
/// A curated Delta table built the way runs will commit it (until the table commit lands): one Parquet part per input
/// written by DuckDB (timestamps as TIMESTAMPTZ), one commit per "run" adding its parts with tags {runId, input, etag} and
/// removing the active parts of the same inputs. It remembers the raw rows of every active input for the oracle.
/// </summary>
public sealed class CuratedTestTable(IDeltaStore store, string work)
{
    public static readonly DeltaSchema Schema = new(
        new DeltaField("id", DeltaTypes.Long, Nullable: false),
        new DeltaField("sold_at", DeltaTypes.Timestamp),
        new DeltaField("category", DeltaTypes.String),
        new DeltaField("customer", DeltaTypes.String),
        new DeltaField("amount", DeltaTypes.Decimal(10, 2)),
        new DeltaField("quantity", DeltaTypes.Integer));

    /// <summary>Group by day and category; every measure kind, count_distinct and quantile included.</summary>
    public static readonly AggregationSpec Spec = new()
    {
        GroupBy = [new GroupBySpec { Name = "day", Column = "sold_at", DateTrunc = "day" }, new GroupBySpec { Name = "category", Column = "category" }],
        Measures =
        [
            new MeasureSpec { Name = "sales", Function = "count" },
            new MeasureSpec { Name = "customers", Function = "count_distinct", Column = "customer" },
            new MeasureSpec { Name = "revenue", Function = "sum", Column = "amount" },
            new MeasureSpec { Name = "avg_quantity", Function = "avg", Column = "quantity" },
            new MeasureSpec { Name = "min_amount", Function = "min", Column = "amount" },
            new MeasureSpec { Name = "max_quantity", Function = "max", Column = "quantity" },
            new MeasureSpec { Name = "p90_quantity", Function = "quantile", Column = "quantity", P = 0.9 },
        ],
    };

    private readonly Dictionary<string, IReadOnlyList<SaleRow>> activeRows = new(StringComparer.Ordinal);
    private int runs;

    public IDeltaStore Store => store;

    public IEnumerable<SaleRow> ActiveRows => activeRows.Values.SelectMany(r => r);

    /// <summary>Random rows over a few days (UTC) and categories (some null), customers repeating.</summary>
    public static IReadOnlyList<SaleRow> Rows(int seed, int count, int firstDay = 1, int days = 3)
    {
        var random = new Random(seed);
        string?[] categories = ["books", "games", "music", null];
        return Enumerable.Range(0, count).Select(i => new SaleRow(
            seed * 100_000L + i,
            new DateTimeOffset(2026, 3, firstDay + random.Next(days), random.Next(24), random.Next(60), random.Next(60), TimeSpan.Zero),
            categories[random.Next(categories.Length)],
            $"c{random.Next(40)}",
            random.Next(100, 50_000) / 100m,
            random.Next(1, 9))).ToList();
    }

    /// <summary>One run: each input's rows become one part; earlier parts of the same inputs are removed. Returns the version.</summary>
    public async Task<long> CommitRunAsync(params (string Input, IReadOnlyList<SaleRow> Rows)[] inputs)
    {
        var runId = $"run{++runs:D3}";
        var adds = new List<DeltaAdd>();
        for (var i = 0; i < inputs.Length; i++)
        {
            var (input, rows) = inputs[i];
            var path = $"run={runId}/part-{i:D5}.parquet";
            var local = Path.Combine(work, $"{runId}-{i}.parquet");
            WriteParquet(local, rows);
            await store.WriteAsync(path, BinaryData.FromBytes(await File.ReadAllBytesAsync(local)));
            var stats = await DeltaFileStats.ComputeAsync(local);
            adds.Add(DeltaAdd.ForFile(path, new FileInfo(local).Length, DateTimeOffset.UtcNow, stats, tags: new Dictionary<string, string> { ["runId"] = runId, ["input"] = input, ["etag"] = $"\"{runId}\"" }));
        }

        var names = inputs.Select(i => i.Input).ToHashSet(StringComparer.Ordinal);
        var version = await CommitAsync(runId, adds, names);
        foreach (var (input, rows) in inputs)
        {
            activeRows[input] = rows;
        }

        return version;
    }

    /// <summary>A commit that only removes the parts of <paramref name="input"/> (e.g. a withdrawn file).</summary>
    public async Task<long> RemoveInputAsync(string input)
    {
        var version = await CommitAsync($"remove{++runs:D3}", [], new HashSet<string>(StringComparer.Ordinal) { input });
        activeRows.Remove(input);
        return version;
    }

    private async Task<long> CommitAsync(string runId, List<DeltaAdd> adds, HashSet<string> replacedInputs)
    {
        var result = await DeltaCommitter.CommitAsync(store, runId, snapshot =>
        {
            var removes = (snapshot?.ActiveFiles.Values ?? [])
                .Where(a => a.Tags is { } tags && tags.TryGetValue("input", out var input) && replacedInputs.Contains(input))
                .Select(a => a.ToRemove(DateTimeOffset.UtcNow)).ToList();
            var plan = snapshot is null ? DeltaCommitPlan.CreateTable(DeltaMetadata.Create(Schema), adds) : new DeltaCommitPlan(adds, removes);
            return plan with { CommitInfo = new Dictionary<string, object?> { ["runId"] = runId } };
        });
        return result.Version;
    }

    /// <summary>Appended, not a VALUES list: some tests commit hundreds of thousands of rows.</summary>
    private static void WriteParquet(string path, IReadOnlyList<SaleRow> rows)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "SET TimeZone = 'UTC'; CREATE TABLE t (id BIGINT, sold_at TIMESTAMP, category VARCHAR, customer VARCHAR, amount DECIMAL(10,2), quantity INTEGER)";
            create.ExecuteNonQuery();
        }

        using (var appender = connection.CreateAppender("t"))
        {
            foreach (var r in rows)
            {
                var row = appender.CreateRow().AppendValue(r.Id).AppendValue(r.At.UtcDateTime);
                row = r.Category is null ? row.AppendNullValue() : row.AppendValue(r.Category);
                row.AppendValue(r.Customer).AppendValue(r.Amount).AppendValue(r.Quantity).EndRow();
            }
        }

        // The session is in UTC, so the cast keeps each instant; the file stores UTC-adjusted timestamps as runs do.
        using var command = connection.CreateCommand();
        command.CommandText = $"COPY (SELECT id, CAST(sold_at AS TIMESTAMPTZ) AS sold_at, category, customer, amount, quantity FROM t) TO '{path}' (FORMAT parquet)";
        command.ExecuteNonQuery();
    }
}
