extern alias TributaryCli;

using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tributary.Testing.Processes;
using TributaryCli::Tributary.Cli.Hosting;
using TributaryCli::Tributary.Cli.Runtime;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Testing;

namespace Tributary.Bench;

/// <summary>
/// `bench hostile [--gzip-mb N]`: generates issue 16's hostile corpus for the taxi dataset (CSV, JSON lines, Parquet), drops it all at once on
/// `tributary serve`, and prints each run's outcome and quarantine reasons, serve's peak RSS (VmHWM of serve and its
/// children) and whether serve stayed up. The legitimate .csv.gz (N MB uncompressed) must succeed with the oracle's rows.
/// `--only NAME[,NAME]` drops only those corpus files (names as printed) on a fresh serve: one file's own peak RSS;
/// `--set Key=Value` passes configuration to serve (a lever on/off in one flag).
/// </summary>
internal static class HostileBench
{
    private const string Dataset = "taxi";

    public static async Task<int> RunAsync(string[] args)
    {
        var gzipMb = BenchArgs.Number(args, "--gzip-mb", 2048);
        var only = OnlyOption(args);
        var work = Directory.CreateTempSubdirectory("tributary-bench-hostile-").FullName;
        Console.WriteLine($"bench hostile: legit gzip {gzipMb} MB uncompressed, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {Load()}{(only is null ? string.Empty : $", only {string.Join(",", only)}")}{string.Concat(SetOptions(args).Select(kv => $", {kv.Key}={kv.Value}"))}");
        var corpus = Generate(work, gzipMb, only);
        await using var azurite = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), Path.Combine(work, "azurite"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageConnection.EnvironmentVariable] = azurite.ConnectionString,
            ["Tributary:TaskHub"] = "Hostile",
            ["Tributary:WatchInterval"] = "00:00:00.500",
        }.Concat(SetOptions(args))).Build();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        await using var client = await TributaryHost.StartAsync(configuration, HostRole.ClientOnly, watch: false, loggers, null, CancellationToken.None);
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        using var serve = await ServeChild.StartAsync(FaultTrials.EnvironmentOf(configuration));
        var clock = Stopwatch.StartNew();
        var runs = new List<(string Name, string RunId, string File)>();
        foreach (var (name, file) in corpus)
        {
            var uploaded = await incoming.GetBlobClient($"{Dataset}/hostile/{name}").UploadAsync(file, overwrite: true);
            // Storage keeps a backslash as '/' (`..\..\x.csv` is listed as `../../x.csv`): intake names the run after the listed name.
            runs.Add((name, RunIds.ForBlob(Dataset, $"{Dataset}/hostile/{name.Replace('\\', '/')}", uploaded.Value.ETag.ToString()), file));
        }

        Console.WriteLine($"dropped {runs.Count} files in {clock.Elapsed.TotalSeconds:F1} s");
        var ok = true;
        foreach (var (name, runId, file) in runs)
        {
            var manifest = await FaultTrials.WaitForManifestAsync(client.Client, runId, name == "legit.csv.gz" ? TimeSpan.FromMinutes(30) : TimeSpan.FromMinutes(3));
            var reasons = manifest is null ? $"no run within the wait (blobs in incoming now: {string.Join(", ", await ListAsync(incoming))})" : string.Join(" | ", manifest.QuarantinedFiles.Select(q => q.Reason));
            Console.WriteLine($"{Short(name),-28} {manifest?.Status.ToString() ?? "no run",-10} {manifest?.Totals.RowsCurated ?? 0,9:N0} curated {manifest?.Totals.RowsRejected ?? 0,6:N0} rejected at {clock.Elapsed.TotalSeconds,6:F1} s  quarantined: {(reasons.Length == 0 ? "-" : reasons)}{(manifest?.Error is { } e ? $"  error: {e}" : string.Empty)}");
            if (name == "legit.csv.gz")
            {
                var expected = TaxiOracle.ValidRows(file);
                Console.WriteLine($"  legit gzip: {manifest?.Totals.RowsCurated:N0} rows curated, oracle {expected:N0}");
                ok &= manifest?.Status == RunStatus.Succeeded && manifest.Totals.RowsCurated == expected;
            }
            else if (name == "nested-objects.jsonl")
            {
                // 10 of its 1,000 rows hold an object: rejected, the others curated or rejected for their own reasons.
                ok &= manifest?.Status == RunStatus.Succeeded && manifest.Totals.RowsRejected >= 10 && manifest.Totals.RowsCurated + manifest.Totals.RowsRejected == 1_000;
            }
            else if (name.Contains('\\', StringComparison.Ordinal))
            {
                ok &= manifest is not null && manifest.QuarantinedFiles.Count > 0;
            }
            else
            {
                ok &= manifest is not null && (manifest.QuarantinedFiles.Count > 0 || manifest.Status == RunStatus.Failed || manifest.Totals.RowsRejected > 0);
            }
        }

        if (BenchArgs.Value(args, "--serve-log") is { } serveLog)
        {
            // serve's own log (timestamped lines), to line up with an RSS sampler.
            await File.WriteAllTextAsync(serveLog, serve.Output);
        }

        var peakMb = PeakKb(serve.Pid) / 1024.0;
        Console.WriteLine($"serve {(serve.HasExited ? "EXITED" : "up")}; peak RSS (VmHWM, serve + children) {peakMb:F0} MB; load {Load()}");
        ok &= !serve.HasExited && peakMb < 400;
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // Azurite (disposed after this) may still be writing its data folder: temporary data only.
        }

        return ok ? 0 : 1;
    }

    private static async Task<List<string>> ListAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static string Short(string name) => name.Length > 28 ? name[..25] + "..." : name;

    /// <summary>VmHWM (kB) of a process plus that of its children, as /proc reports them.</summary>
    private static long PeakKb(int pid)
    {
        long Hwm(int id) => File.ReadLines($"/proc/{id}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
        // /proc/{pid}/task/{tid}/children per thread (not a recursive search: task/{tid}/root is the whole filesystem).
        var children = Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture));
        return Hwm(pid) + children.Sum(c => PeakKb(c));
    }

    /// <summary>`--set Key=Value` (repeatable): configuration for serve, e.g. a lever to compare A/B.</summary>
    private static List<KeyValuePair<string, string?>> SetOptions(string[] args) =>
        BenchArgs.Values(args, "--set").Select(setting => setting.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string?>(kv[0], kv.Length > 1 ? kv[1] : string.Empty)).ToList();

    /// <summary>The corpus names of `--only a,b`, or null for the whole corpus.</summary>
    private static HashSet<string>? OnlyOption(string[] args) =>
        BenchArgs.Value(args, "--only") is { } names ? [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null;

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();

    /// <summary>The corpus: (blob name under taxi/hostile/, local file).</summary>
    private static List<(string Name, string File)> Generate(string work, int gzipMb, HashSet<string>? only)
    {
        var clock = Stopwatch.StartNew();
        var files = new List<(string, string)>();
        string Path(string name) => System.IO.Path.Combine(work, name.Replace('\\', '_'));
        var sample = Path("sample.csv");
        SampleDataSet.WriteFile(sample, "csv", 10_000, seed: 16, firstTripId: 16_000_000);
        var header = File.ReadLines(sample).First();

        // A gzip cut to 60 % of its bytes: the trailer (CRC32, ISIZE) is missing.
        var whole = Path("whole.csv.gz");
        Gzip(sample, whole);
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(Path("truncated.csv.gz"), bytes[..(bytes.Length * 6 / 10)]);
        files.Add(("truncated.csv.gz", Path("truncated.csv.gz")));

        // A gzip bomb: the header, then 1 GB of zeros (about 1 MB compressed).
        using (var bomb = new GZipStream(File.Create(Path("bomb.csv.gz")), CompressionLevel.SmallestSize))
        {
            bomb.Write(Encoding.ASCII.GetBytes(header + "\n"));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 1024; i++)
            {
                bomb.Write(zeros);
            }
        }

        files.Add(("bomb.csv.gz", Path("bomb.csv.gz")));

        // A line longer than the dataset's maximum (8 MiB) between good rows; a 500 MB single line; 10,000 columns.
        WriteLines(Path("long-line.csv"), [header, .. File.ReadLines(sample).Skip(1).Take(100), "1," + new string('x', 9 << 20), .. File.ReadLines(sample).Skip(101).Take(100)]);
        files.Add(("long-line.csv", Path("long-line.csv")));
        using (var one = File.Create(Path("one-line-500mb.csv")))
        {
            var block = Encoding.ASCII.GetBytes(new string('y', 1 << 20));
            for (var i = 0; i < 500; i++)
            {
                one.Write(block);
            }
        }

        files.Add(("one-line-500mb.csv", Path("one-line-500mb.csv")));
        var wide = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"c{i}"));
        WriteLines(Path("wide.csv"), [wide, .. Enumerable.Repeat(string.Join(",", Enumerable.Range(0, 10_000)), 10)]);
        files.Add(("wide-10000-columns.csv", Path("wide.csv")));

        // Names, bytes and headers a user might drop by mistake.
        File.Copy(sample, Path("backslash.csv"));
        files.Add(("..\\..\\escape.csv", Path("backslash.csv")));
        var utf8 = File.ReadAllBytes(sample).ToList();
        utf8.InsertRange(header.Length + 40, new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
        File.WriteAllBytes(Path("invalid-utf8.csv"), [.. utf8]);
        files.Add(("invalid-utf8.csv", Path("invalid-utf8.csv")));
        File.WriteAllBytes(Path("empty.csv"), []);
        files.Add(("empty.csv", Path("empty.csv")));
        var garbage = new byte[1 << 20];
        new Random(16).NextBytes(garbage);
        File.WriteAllBytes(Path("garbage.csv"), garbage);
        files.Add(("garbage.csv", Path("garbage.csv")));
        WriteLines(Path("wrong-header.csv"), [header.Replace("trip_id", "id", StringComparison.Ordinal).Replace("fare_amount", "fare", StringComparison.Ordinal), .. File.ReadLines(sample).Skip(1)]);
        files.Add(("wrong-header.csv", Path("wrong-header.csv")));

        // Parquet with another table's schema, a taxi Parquet file cut inside its footer, and JSON lines with objects in
        // scalar columns (every hundredth row, a text or a number column: under the dataset's 5 % tolerance, so the rest land).
        using (var duck = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var copy = duck.CreateCommand();
            copy.CommandText = $"COPY (SELECT range AS id, 'label ' || range AS label FROM range(1000)) TO '{Path("wrong-schema.parquet")}' (FORMAT parquet)";
            copy.ExecuteNonQuery();
        }

        files.Add(("wrong-schema.parquet", Path("wrong-schema.parquet")));
        SampleDataSet.WriteFile(Path("taxi.parquet"), "parquet", 10_000, seed: 18, firstTripId: 17_000_000);
        var parquet = File.ReadAllBytes(Path("taxi.parquet"));
        File.WriteAllBytes(Path("cut-footer.parquet"), parquet[..^100]);
        files.Add(("cut-footer.parquet", Path("cut-footer.parquet")));
        SampleDataSet.WriteFile(Path("taxi.jsonl"), "jsonl", 1_000, seed: 19, firstTripId: 18_000_000);
        WriteLines(Path("nested.jsonl"), File.ReadLines(Path("taxi.jsonl")).Select((line, i) => i % 100 != 0 ? line : Nest(line, i % 200 == 0 ? "pickup_zone" : "fare_amount")));
        files.Add(("nested-objects.jsonl", Path("nested.jsonl")));

        if (only is not null)
        {
            files.RemoveAll(f => !only.Contains(f.Item1));
            if (!only.Contains("legit.csv.gz"))
            {
                Console.WriteLine($"corpus: {files.Count} files generated in {clock.Elapsed.TotalSeconds:F0} s");
                return files;
            }
        }

        // The legitimate large gzip: gzipMb MB of taxi rows.
        var big = Path("legit.csv");
        var rows = (int)(gzipMb * 1048576L / 92);
        SampleDataSet.WriteFile(big, "csv", rows, seed: 17, firstTripId: 100_000_000);
        Gzip(big, Path("legit.csv.gz"));
        File.Delete(big);
        files.Add(("legit.csv.gz", Path("legit.csv.gz")));
        Console.WriteLine($"corpus: {files.Count} files generated in {clock.Elapsed.TotalSeconds:F0} s (legit gzip {new FileInfo(Path("legit.csv.gz")).Length / 1048576.0:F0} MB compressed, {rows:N0} rows)");
        return files;
    }

    /// <summary>The JSON line with an object in place of one scalar column's value.</summary>
    private static string Nest(string line, string column)
    {
        var row = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
        row[column] = new System.Text.Json.Nodes.JsonObject { ["value"] = row[column]?.DeepClone() };
        return row.ToJsonString();
    }

    private static void Gzip(string source, string target)
    {
        using var input = File.OpenRead(source);
        using var output = new GZipStream(File.Create(target), CompressionLevel.Fastest);
        input.CopyTo(output);
    }

    private static void WriteLines(string path, IEnumerable<string> lines) => File.WriteAllLines(path, lines);
}
