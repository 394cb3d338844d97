using System.Diagnostics;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Samples;
using static Tributary.Orchestrations.Processing.SqlText;

// Converts the same generated taxi CSV (a) with DuckDB directly and (b) through the pipeline's processing
// path (plan, stage byte ranges, pre-pass, DuckDB validation, curated Parquet + rejects), each in a child
// process so that its peak RSS (VmHWM) is its own.
//   dotnet run -c Release --project bench/Tributary.Bench -- convert --size-mb 1024
// `intake` (IntakeBench.cs): drop-to-start and restart-to-idle with 100,000 archived inputs against an empty archive.
//   (internal) ... run-direct|run-pipeline <csv> <out-folder> [<warm-up csv>]
// and `e2e` (EndToEnd/): drop -> committed table and aggregate through `tributary serve`, beside DuckDB-direct.
var root = FindRoot();
switch (args.FirstOrDefault())
{
    case "run-direct":
        return Report(Direct, args[1], args[2], args.ElementAtOrDefault(3));
    case "run-pipeline":
        return Report((csv, output) => Pipeline(csv, output, root), args[1], args[2], args.ElementAtOrDefault(3));
    case Tributary.Bench.EndToEnd.DirectPath.ChildMode:
        return Tributary.Bench.EndToEnd.DirectPath.Child(args[1], args[2]);
    case "e2e":
        return await Tributary.Bench.EndToEnd.E2eBench.RunAsync(args, root);
    case "faults":
        return await Tributary.Bench.FaultTrials.RunAsync(args);
    case "engine":
        return await Tributary.Bench.EngineCeiling.RunAsync(args, root);
    case "hostile":
        return await Tributary.Bench.HostileBench.RunAsync(args);
    case "intake":
        return Tributary.Bench.IntakeBench.Run(args, root);
    case "convert":
        return Convert(Tributary.Bench.BenchArgs.Number(args, "--size-mb", 1024), root, gzip: Tributary.Bench.BenchArgs.Flag(args, "--gzip"));
    default:
        Console.Error.WriteLine("usage: convert [--size-mb N] [--gzip]");
        Console.Error.WriteLine(Tributary.Bench.EndToEnd.E2eOptions.Usage);
        Console.Error.WriteLine("       engine [--runs N] [--activities 6,5,4] [--repeat N]   (no-op runs: the engine's runs/s ceiling)");
        Console.Error.WriteLine("       faults [--trials N] [--seed S] [--rows R] [--files F] [--window-seconds W] [--outage SECONDS]");
        Console.Error.WriteLine("       hostile [--gzip-mb N] [--only NAME[,NAME]] [--set Key=Value]...");
        Console.Error.WriteLine("       intake [--archived N] [--drops N] [--restarts N] [--only-archived N]");
        return 2;
}

static int Convert(int sizeMb, string root, bool gzip)
{
    var cache = Path.Combine(root, ".tributary", "bench");
    Directory.CreateDirectory(cache);
    var csv = Path.Combine(cache, $"taxi-{sizeMb}mb.csv");
    if (!File.Exists(csv))
    {
        Console.WriteLine($"generating {csv} ...");
        Generate(csv, sizeMb * 1024L * 1024);
    }

    // Both children first convert a small prefix untimed: a worker runs for hours, so what counts is its steady state,
    // not the one-time tiered JIT of a fresh process (~0.9 s of CPU on this path). BENCH_WARMUP=0 times a cold process.
    var warmup = Environment.GetEnvironmentVariable("BENCH_WARMUP") == "0" ? null : Prefix(csv, Path.Combine(cache, "taxi-warmup.csv"), 64L << 20);
    var rows = CountRows(csv);
    Console.WriteLine($"input: {csv} ({new FileInfo(csv).Length / 1048576.0:F0} MiB, {rows:N0} rows)");
    var direct = Child("run-direct", csv, Path.Combine(cache, "out-direct"), warmup);
    var pipeline = Child("run-pipeline", csv, Path.Combine(cache, "out-pipeline"), warmup);
    var directRate = rows / direct.Seconds;
    var pipelineRate = rows / pipeline.Seconds;
    Console.WriteLine($"duckdb-direct : {direct.Seconds,7:F1} s  {directRate,12:N0} rows/s  peak RSS {direct.PeakMb,6:F0} MB");
    Console.WriteLine($"pipeline      : {pipeline.Seconds,7:F1} s  {pipelineRate,12:N0} rows/s  peak RSS {pipeline.PeakMb,6:F0} MB  ({pipeline.Detail})");
    Console.WriteLine($"ratio pipeline/direct: {pipelineRate / directRate:P0}");
    if (gzip)
    {
        // The same file as .csv.gz: the pipeline decompresses it once (trailer verified) and processes record-safe
        // chunks of the copy in parallel, as the planner and the chunk activities do.
        var gz = csv + ".gz";
        if (!File.Exists(gz))
        {
            Console.WriteLine($"compressing {gz} ...");
            using var source = File.OpenRead(csv);
            using var target = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest);
            source.CopyTo(target);
        }

        var compressed = Child("run-pipeline", gz, Path.Combine(cache, "out-pipeline-gz"), warmup);
        Console.WriteLine($"pipeline .gz  : {compressed.Seconds,7:F1} s  {rows / compressed.Seconds,12:N0} rows/s  peak RSS {compressed.PeakMb,6:F0} MB  ({compressed.Detail}; {new FileInfo(gz).Length / 1048576.0:F0} MiB compressed)");
    }

    return 0;
}

static (double Seconds, double PeakMb, string Detail) Child(string mode, string csv, string output, string? warmup)
{
    if (Directory.Exists(output))
    {
        Directory.Delete(output, recursive: true);
    }

    Directory.CreateDirectory(output);
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    if (self.EndsWith("dotnet", StringComparison.Ordinal))
    {
        start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
    }

    foreach (var a in new[] { mode, csv, output, warmup }.OfType<string>())
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    var text = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{mode} failed: {text}");
    }

    // The child prints: seconds peakKb detail
    var parts = text.Trim().Split(' ', 3);
    Directory.Delete(output, recursive: true);
    return (double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0, parts.Length > 2 ? parts[2] : string.Empty);
}

static int Report(Func<string, string, string> run, string csv, string output, string? warmup)
{
    if (warmup is not null)
    {
        run(warmup, Directory.CreateDirectory(Path.Combine(output, "warmup")).FullName);
    }

    var clock = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var detail = run(csv, output);
    var seconds = clock.Elapsed.TotalSeconds;
    var cores = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / seconds;
    detail = FormattableString.Invariant($"{detail}, {cores:F2} cores busy on average");
    var peak = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    var kb = peak.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
    Console.WriteLine(FormattableString.Invariant($"{seconds:F2} {kb} {detail}"));
    return 0;
}

static string Direct(string csv, string output)
{
    using var connection = new DuckDBConnection("DataSource=:memory:");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = $"""
        SET threads = 2;
        COPY (SELECT * FROM read_csv({Literal(csv)}, header = true, ignore_errors = true,
              timestampformat = '%Y-%m-%d %H:%M:%S',
              columns = {"{"}'trip_id': 'BIGINT', 'pickup_at': 'TIMESTAMP', 'dropoff_at': 'TIMESTAMP', 'pickup_zone': 'VARCHAR',
                         'dropoff_zone': 'VARCHAR', 'passenger_count': 'INTEGER', 'trip_distance': 'DOUBLE',
                         'fare_amount': 'DECIMAL(10,2)', 'tip_amount': 'DECIMAL(10,2)', 'payment_type': 'VARCHAR'{"}"}))
        TO {Literal(Path.Combine(output, "direct.parquet"))} (FORMAT parquet, COMPRESSION zstd)
        """;
    command.ExecuteNonQuery();
    return "typed read_csv -> parquet";
}

static string Pipeline(string csv, string output, string root)
{
    var dataset = new DatasetCatalog(Path.Combine(root, "datasets")).Get("taxi");
    // One chunk per core at a time, one DuckDB thread each, as the activities fan out on a worker (BENCH_PARALLEL_CHUNKS=1:
    // one chunk at a time with two DuckDB threads). BENCH_CHUNK_BYTES overrides the dataset's chunk size.
    var parallel = int.Parse(Environment.GetEnvironmentVariable("BENCH_PARALLEL_CHUNKS") ?? Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    long? chunkBytes = Environment.GetEnvironmentVariable("BENCH_CHUNK_BYTES") is { } bytes ? long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture) : null;
    // BENCH_FAST_PATH=0 turns the CSV fast path off (every record through DuckDB's text validation), for comparison.
    var fastPath = Environment.GetEnvironmentVariable("BENCH_FAST_PATH") != "0";
    var runs = LocalFileRunner.RunAsync(csv, dataset, output, chunkBytes, parallelChunks: parallel, threadsPerChunk: parallel == 1 ? 2 : 1, fastPath: fastPath).GetAwaiter().GetResult();
    var read = runs.Sum(r => r.Outcome.RowsRead);
    var curated = runs.Sum(r => r.Outcome.RowsCurated);
    var rejected = runs.Sum(r => r.Outcome.RowsRejected);
    if (read != curated + rejected || runs.Any(r => r.Outcome.FileProblem is not null))
    {
        throw new InvalidOperationException("counts do not add up");
    }

    return FormattableString.Invariant($"{runs.Count} chunks, {read} read = {curated} curated + {rejected} rejected");
}

/// <summary>The first ~<paramref name="bytes"/> of <paramref name="csv"/>, cut after a whole line.</summary>
static string Prefix(string csv, string path, long bytes)
{
    var data = new byte[(int)Math.Min(bytes, new FileInfo(csv).Length)];
    using (var source = File.OpenRead(csv))
    {
        source.ReadExactly(data);
    }

    File.WriteAllBytes(path, data.AsSpan(0, data.AsSpan().LastIndexOf((byte)'\n') + 1).ToArray());
    return path;
}

static void Generate(string path, long bytes)
{
    var generator = new TaxiTripGenerator(2026);
    using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
    writer.Write(string.Join(',', TaxiTripGenerator.Columns) + "\n");
    long tripId = 1;
    var tmp = new StringWriter();
    while (writer.BaseStream.Length < bytes)
    {
        tmp.GetStringBuilder().Clear();
        generator.WriteCsv(tmp, 100_000, tripId);
        var block = tmp.ToString();
        writer.Write(block.AsSpan(block.IndexOf('\n') + 1));
        writer.Flush();
        tripId += 100_000;
    }
}

static long CountRows(string csv)
{
    using var connection = new DuckDBConnection("DataSource=:memory:");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = $"SELECT count(*) FROM read_csv({Literal(csv)}, all_varchar = true, header = true)";
    return System.Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
}

static string FindRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "Functions.sln")))
    {
        dir = Path.GetDirectoryName(dir);
    }

    return dir ?? Directory.GetCurrentDirectory();
}
