using System.IO.Compression;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Processing;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Samples;

/// <summary>
/// Writes a reproducible set of taxi files in every supported format (CSV, gzip CSV, JSON lines, Parquet),
/// each with its own slice of trip ids and the generator's small share of bad rows.
/// </summary>
public static class SampleDataSet
{
    public static IReadOnlyList<string> Write(string folder, int rowsPerFile, int seed = 42)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var formats = new[] { "csv", "csv", "csv.gz", "jsonl", "jsonl.gz", "parquet" };
        for (var i = 0; i < formats.Length; i++)
        {
            var path = Path.Combine(folder, $"trips-{i + 1:D3}.{formats[i]}");
            WriteFile(path, formats[i], rowsPerFile, seed + i, firstTripId: (i * (long)rowsPerFile) + 1);
            files.Add(path);
        }

        return files;
    }

    public static void WriteFile(string path, string format, int rows, int seed, long firstTripId)
    {
        var generator = new TaxiTripGenerator(seed);
        switch (format)
        {
            case "csv":
                using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                {
                    generator.WriteCsv(writer, rows, firstTripId);
                }

                break;
            case "jsonl":
                using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                {
                    generator.WriteJsonLines(writer, rows, firstTripId);
                }

                break;
            case "csv.gz" or "jsonl.gz":
                using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
                using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)))
                {
                    if (format == "csv.gz")
                    {
                        generator.WriteCsv(writer, rows, firstTripId);
                    }
                    else
                    {
                        generator.WriteJsonLines(writer, rows, firstTripId);
                    }
                }

                break;
            case "parquet":
                var csv = path + ".tmp.csv";
                WriteFile(csv, "csv", rows, seed, firstTripId);
                using (var connection = new DuckDBConnection("DataSource=:memory:"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();

                    // Text columns, as many real exports have: validation still decides what is valid.
                    command.CommandText = $"COPY (SELECT * FROM read_csv({Literal(csv)}, all_varchar = true, header = true)) TO {Literal(path)} (FORMAT parquet, ROW_GROUP_SIZE 4096)";
                    command.ExecuteNonQuery();
                }

                File.Delete(csv);
                break;
            default:
                throw new ArgumentException($"Unknown sample format '{format}'.", nameof(format));
        }
    }
}
