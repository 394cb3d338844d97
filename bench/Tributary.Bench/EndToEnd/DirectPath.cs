using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Bench.EndToEnd;

/// <summary>
/// The yardstick: DuckDB alone reads every part (CSV, gzip, JSON lines, Parquet), keeps the rows valid as typed, writes
/// them as one Parquet file and computes the taxi dataset's aggregate from it, in a child process of its own (2 threads).
/// </summary>
public static class DirectPath
{
    public const string ChildMode = "run-direct-set";

    private const string Timestamp = "%Y-%m-%d %H:%M:%S";

    public sealed record Result(double Seconds, double PeakMb, long RowsKept);

    public static Result Run(string folder, string output)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.CreateDirectory(output);
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(DirectPath).Assembly.Location);
        }

        foreach (var a in new[] { ChildMode, folder, output })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Directory.Delete(output, recursive: true);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"direct path failed: {text}");
        }

        var parts = text.Trim().Split(' ');
        return new Result(double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture) / 1024.0, long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>In the child: prints "seconds peakKb rowsKept".</summary>
    public static int Child(string folder, string output)
    {
        var clock = Stopwatch.StartNew();
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        List<string> Of(params string[] endings) => [.. files.Where(f => endings.Any(e => f.EndsWith(e, StringComparison.Ordinal)))];
        var branches = new List<string>();
        var csv = Of(".csv", ".csv.gz");
        if (csv.Count > 0)
        {
            branches.Add($"""
                SELECT * FROM read_csv({List(csv)}, header = true, ignore_errors = true, timestampformat = '{Timestamp}',
                    columns = {"{"}'trip_id': 'BIGINT', 'pickup_at': 'TIMESTAMP', 'dropoff_at': 'TIMESTAMP', 'pickup_zone': 'VARCHAR',
                               'dropoff_zone': 'VARCHAR', 'passenger_count': 'INTEGER', 'trip_distance': 'DOUBLE',
                               'fare_amount': 'DECIMAL(10,2)', 'tip_amount': 'DECIMAL(10,2)', 'payment_type': 'VARCHAR'{"}"})
                """);
        }

        // JSON lines and the text-typed Parquet parts: read as text, typed by try-casts (a failed cast is a rejected row).
        var json = Of(".jsonl", ".jsonl.gz");
        if (json.Count > 0)
        {
            branches.Add(Typed($"read_json({List(json)}, format = 'newline_delimited', ignore_errors = true, columns = {"{"}{string.Join(", ", Columns.Select(c => $"'{c}': 'VARCHAR'"))}{"}"})"));
        }

        var parquet = Of(".parquet");
        if (parquet.Count > 0)
        {
            branches.Add(Typed($"read_parquet({List(parquet)})"));
        }

        var curated = Path.Combine(output, "curated.parquet");
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SET threads = 2;
            COPY (SELECT * FROM ({string.Join(" UNION ALL BY NAME ", branches.Select(b => $"({b})"))})
                  WHERE trip_id >= 1 AND pickup_at IS NOT NULL AND dropoff_at IS NOT NULL AND pickup_zone IS NOT NULL
                    AND dropoff_zone IS NOT NULL AND passenger_count BETWEEN 0 AND 9 AND trip_distance BETWEEN 0 AND 500
                    AND fare_amount BETWEEN 0 AND 10000 AND (tip_amount IS NULL OR tip_amount >= 0)
                    AND payment_type IN ('card', 'cash', 'no_charge', 'dispute'))
            TO {Literal(curated)} (FORMAT parquet, COMPRESSION zstd);
            COPY (SELECT date_trunc('day', pickup_at) AS pickup_day, payment_type, count(*) AS trips, sum(fare_amount) AS total_fare,
                         avg(tip_amount) AS avg_tip, quantile_cont(trip_distance, 0.5) AS median_distance, count(DISTINCT pickup_zone) AS pickup_zones
                  FROM read_parquet({Literal(curated)}) GROUP BY ALL)
            TO {Literal(Path.Combine(output, "aggregate.parquet"))} (FORMAT parquet);
            """;
        command.ExecuteNonQuery();
        command.CommandText = $"SELECT count(*) FROM read_parquet({Literal(curated)})";
        var kept = System.Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Console.WriteLine(FormattableString.Invariant($"{seconds:F2} {peak} {kept}"));
        return 0;
    }

    private static readonly string[] Columns = ["trip_id", "pickup_at", "dropoff_at", "pickup_zone", "dropoff_zone", "passenger_count", "trip_distance", "fare_amount", "tip_amount", "payment_type"];

    private static string Typed(string source) => $"""
        SELECT TRY_CAST(trip_id AS BIGINT) AS trip_id, try_strptime(pickup_at, '{Timestamp}') AS pickup_at,
               try_strptime(dropoff_at, '{Timestamp}') AS dropoff_at, pickup_zone, dropoff_zone,
               TRY_CAST(passenger_count AS INTEGER) AS passenger_count, TRY_CAST(trip_distance AS DOUBLE) AS trip_distance,
               TRY_CAST(fare_amount AS DECIMAL(10,2)) AS fare_amount, TRY_CAST(tip_amount AS DECIMAL(10,2)) AS tip_amount, payment_type
        FROM {source}
        """;
}
