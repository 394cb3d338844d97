using System.Globalization;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Aggregation;

/// <summary>
/// The expected aggregate computed in plain C# from the raw rows (no SQL, no product code), and the aggregate table's
/// rows read back from its active files, both rendered the same way for comparison.
/// </summary>
public static class AggregateOracle
{
    public static List<string> Expected(IEnumerable<SaleRow> rows) =>
        rows.GroupBy(r => (Day: r.At.UtcDateTime.Date, r.Category))
            .Select(g => Render(
                g.Key.Day, g.Key.Category, g.Count(), g.Select(r => r.Customer).Distinct().Count(), g.Sum(r => r.Amount),
                g.Average(r => r.Quantity), g.Min(r => r.Amount), g.Max(r => r.Quantity), Quantile(g.Select(r => (double)r.Quantity), 0.9)))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The aggregate table's rows at its latest version (or <paramref name="version"/>).</summary>
    public static async Task<List<string>> ActualAsync(IDeltaStore aggregate, string work, long? version = null)
    {
        var snapshot = await DeltaLog.ReadSnapshotAsync(aggregate, version);
        Assert.NotNull(snapshot);
        var files = new List<string>();
        foreach (var add in snapshot.ActiveFiles.Values)
        {
            var local = Path.Combine(work, $"actual-{Guid.NewGuid():N}.parquet");
            await File.WriteAllBytesAsync(local, (await aggregate.ReadAsync(add.StoragePath))!.ToArray());
            files.Add(local);
        }

        if (files.Count == 0)
        {
            return [];
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT strftime(day AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), category, sales, customers, revenue, avg_quantity, min_amount, max_quantity, p90_quantity
            FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Render(
                DateTime.ParseExact(reader.GetString(0), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt64(2), reader.GetInt64(3), reader.GetDecimal(4), reader.GetDouble(5), reader.GetDecimal(6), reader.GetInt32(7), reader.GetDouble(8)));
        }

        return rows.Order(StringComparer.Ordinal).ToList();
    }

    private static string Render(DateTime day, string? category, long sales, long customers, decimal revenue, double avgQuantity, decimal minAmount, int maxQuantity, double p90) =>
        string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd HH:mm:ss}|{category ?? "<null>"}|{sales}|{customers}|{revenue:0.00}|{avgQuantity:F6}|{minAmount:0.00}|{maxQuantity}|{p90:F6}");

    /// <summary>Linear interpolation between closest ranks (quantile_cont, Spark's percentile).</summary>
    private static double Quantile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var position = (sorted.Length - 1) * p;
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}
