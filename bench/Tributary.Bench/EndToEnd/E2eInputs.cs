using System.Globalization;
using Tributary.Orchestrations.Samples;

namespace Tributary.Bench.EndToEnd;

/// <summary>Seeded inputs of `bench e2e`, generated once into .tributary/bench/e2e-* and reused.</summary>
public static class E2eInputs
{
    /// <summary>Parts of the mix, in turn: half CSV, then gzip CSV, JSON lines and Parquet, as real drops mix them.</summary>
    private static readonly string[] MixFormats = ["csv", "csv", "csv.gz", "csv", "jsonl", "csv", "parquet", "csv"];

    /// <summary>Rows in a ~10 KB taxi CSV file (the generator writes ~100 bytes a row).</summary>
    private const int SmallFileRows = 100;

    public static (string Folder, long Rows) Prepare(E2eOptions options, string cache)
    {
        var (name, files, rowsPerFile) = options.Mode == "mix"
            ? ($"e2e-mix-{options.Rows}-{options.Files}", options.Files, (int)Math.Ceiling(options.Rows / (double)options.Files))
            : ($"e2e-small-{options.Files}", options.Files, SmallFileRows);
        var folder = Path.Combine(cache, name);
        var done = Path.Combine(cache, name + ".done");
        if (!File.Exists(done))
        {
            Console.WriteLine($"generating {files} files into {folder} ...");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            Parallel.For(0, files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var format = options.Mode == "mix" ? MixFormats[i % MixFormats.Length] : "csv";
                var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"trips-{i:D5}.{format}"));
                SampleDataSet.WriteFile(path, format, rowsPerFile, seed: 1_000 + i, firstTripId: (i * (long)rowsPerFile) + 1);
            });
            File.WriteAllText(done, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }

        return (folder, (long)files * rowsPerFile);
    }

    /// <summary>The warm-up drop of `e2e --warm`: one small file per format of the mix, named apart from every measured input.</summary>
    public static string WarmUp(string cache)
    {
        var folder = Path.Combine(cache, "e2e-warmup");
        var done = folder + ".done";
        if (!File.Exists(done))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            var formats = MixFormats.Distinct().ToList();
            for (var i = 0; i < formats.Count; i++)
            {
                SampleDataSet.WriteFile(Path.Combine(folder, $"warmup-{i}.{formats[i]}"), formats[i], rows: 5_000, seed: 7 + i, firstTripId: 900_000_000L + (i * 5_000L));
            }

            File.WriteAllText(done, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }

        return folder;
    }
}
