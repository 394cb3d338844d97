using System.Diagnostics;
using System.Globalization;
using Tributary.Orchestrations.Runs;

namespace Tributary.Bench.EndToEnd;

/// <summary>
/// `bench e2e`: the same generated files (a) through DuckDB alone and (b) through the product on Azurite
/// (`tributary serve` + `tributary drop`), side by side, with the product's stage breakdown from its run manifests.
/// </summary>
public static class E2eBench
{
    public static async Task<int> RunAsync(string[] args, string root)
    {
        var options = E2eOptions.Parse(args);
        var cache = Path.Combine(root, ".tributary", "bench");
        var (folder, rows) = E2eInputs.Prepare(options, cache);
        var files = Directory.GetFiles(folder).Length;
        var tributary = BuildCli(root);
        Console.WriteLine(FormattableString.Invariant($"e2e {options.Mode}: {files:N0} files, {rows:N0} rows, {new DirectoryInfo(folder).EnumerateFiles().Sum(f => f.Length) / 1048576.0:F1} MiB in {folder}"));
        Console.WriteLine(FormattableString.Invariant($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start; settings: {Describe(options)}"));
        for (var round = 1; round <= options.Repeat; round++)
        {
            DirectPath.Result? direct = null;
            if (!options.SkipDirect)
            {
                direct = DirectPath.Run(folder, Path.Combine(cache, "e2e-out-direct"));
                Console.WriteLine(FormattableString.Invariant($"[{round}] duckdb-direct : {direct.Seconds,7:F1} s  {rows / direct.Seconds,10:N0} rows/s  {files / direct.Seconds,8:N0} files/s  peak RSS {direct.PeakMb:F0} MB  ({direct.RowsKept:N0} rows kept)"));
            }

            foreach (var (name, variant) in new[] { ("baseline", options) }.Concat(options.Levers.Select(l => (l, options.With(l)))))
            {
                var home = Path.Combine(cache, "e2e-home");
                if (Directory.Exists(home))
                {
                    Directory.Delete(home, recursive: true);
                }

                Console.WriteLine($"[{round}] --- {name}: {Describe(variant)}");
                var product = await ProductPath.RunAsync(tributary, folder, home, variant, ServeEnvironment(root, variant), options.Warm ? E2eInputs.WarmUp(cache) : null);
                Print(round, rows, files, direct, product);
                Directory.Delete(home, recursive: true);
            }
        }

        return 0;
    }

    private static void Print(int round, long rows, int files, DirectPath.Result? direct, ProductPath.Result product)
    {
        var manifests = product.Manifests;
        var read = manifests.Sum(m => m.Totals.RowsRead);
        var failed = manifests.Count(m => m.Status != RunStatus.Succeeded);
        var rate = read / product.WallSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"[{round}] product e2e   : {product.WallSeconds,7:F1} s  {rate,10:N0} rows/s  {files / product.WallSeconds,8:N1} files/s  {manifests.Count / product.WallSeconds,6:N2} runs/s  ({manifests.Count} runs, {failed} not succeeded, {read:N0} rows read, {manifests.Sum(m => m.Totals.RowsCurated):N0} curated)"));
        foreach (var problem in manifests.Where(m => m.Status != RunStatus.Succeeded).Take(3))
        {
            Console.WriteLine($"[{round}]   {problem.RunId} {problem.Status}: {problem.Error}");
        }

        if (direct is not null)
        {
            Console.WriteLine(FormattableString.Invariant($"[{round}] ratio product/direct (rows/s): {rate / (rows / direct.Seconds):P0}"));
        }

        // Stages, from the manifests: the run's own clock (start, processed, aggregated, completed) and its chunks.
        static double Sum(IEnumerable<double> values) => values.DefaultIfEmpty(0).Sum();
        var process = manifests.Select(m => ((m.Timings.ProcessedAt ?? m.Timings.CompletedAt) - m.Timings.StartedAt).TotalSeconds).ToList();
        var commitAggregate = manifests.Select(m => ((m.Timings.AggregatedAt ?? m.Timings.CompletedAt) - (m.Timings.ProcessedAt ?? m.Timings.CompletedAt)).TotalSeconds).ToList();
        var firstStart = manifests.Min(m => m.Timings.StartedAt);
        var lastDone = manifests.Max(m => m.Timings.CompletedAt);
        Console.WriteLine(FormattableString.Invariant(
            $"[{round}] stages: upload {product.UploadSeconds:F1} s (drop exited at {product.DropSeconds:F1} s, saved to disk)  drop-to-start p50 {Percentile(product.DropToStartSeconds, 0.5):F2} s p95 {Percentile(product.DropToStartSeconds, 0.95):F2} s max {product.DropToStartSeconds.DefaultIfEmpty(0).Max():F2} s"));
        Console.WriteLine(FormattableString.Invariant(
            $"[{round}]         plan+process per run p50 {Percentile(process, 0.5):F2} s (sum {Sum(process):F1} s; chunks {manifests.Sum(m => m.Chunks.Count)}, chunk time sum {Sum(manifests.SelectMany(m => m.Chunks).Select(c => c.Seconds)):F1} s)  table commit+aggregate per run p50 {Percentile(commitAggregate, 0.5):F2} s (sum {Sum(commitAggregate):F1} s)  first run start -> last run done {(lastDone - firstStart).TotalSeconds:F1} s"));
        Console.WriteLine($"[{round}]         chunks by format: {ByFormat(manifests.SelectMany(m => m.Chunks))}");
        Console.WriteLine(FormattableString.Invariant(
            $"[{round}] peak RSS: serve {product.ServePeakMb:F0} MB; {string.Join(", ", product.Helpers.Select(h => $"{h.Name} {h.PeakMb:F0} MB"))}; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        Console.WriteLine(FormattableString.Invariant(
            $"[{round}] CPU from the drop to the last run: serve {product.ServeCpuSeconds:F1} s; {string.Join(", ", product.Helpers.Select(h => $"{h.Name} {h.CpuSeconds:F1} s"))} (core-seconds; {Environment.ProcessorCount} cores)"));
    }

    /// <summary>
    /// Where the processing time goes, per input format: chunks, rows read, chunk seconds summed (on a busy worker a
    /// chunk's seconds include waiting for a core) and rows per chunk-second.
    /// </summary>
    private static string ByFormat(IEnumerable<Tributary.Orchestrations.Processing.ChunkResult> chunks) =>
        string.Join("; ", chunks
            .GroupBy(c => c.Input.Name.EndsWith(".gz", StringComparison.Ordinal) ? Path.GetExtension(c.Input.Name[..^3]) + ".gz" : Path.GetExtension(c.Input.Name))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => FormattableString.Invariant(
                $"{g.Key} {g.Count()} chunks {g.Sum(c => c.RowsRead):N0} rows {g.Sum(c => c.Seconds):F1} s ({g.Sum(c => c.RowsRead) / Math.Max(0.001, g.Sum(c => c.Seconds)):N0} rows/chunk-s, max {g.Max(c => c.Seconds):F1} s)")));

    private static Dictionary<string, string> ServeEnvironment(string root, E2eOptions options)
    {
        var environment = new Dictionary<string, string>
        {
            ["Tributary__DatasetsPath"] = Path.Combine(root, "datasets"),
            ["Tributary__Api__Port"] = "0",
            ["Tributary__Batch__MaxFiles"] = options.BatchMaxFiles.ToString(CultureInfo.InvariantCulture),
            ["Tributary__Batch__MaxSeconds"] = options.BatchMaxSeconds.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in options.Environment)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static string Describe(E2eOptions options) =>
        $"{(options.Warm ? "warm serve, " : string.Empty)}{(options.Rate > 0 ? $"files arriving at {options.Rate.ToString(CultureInfo.InvariantCulture)} a second" : $"drop --parallel {options.DropParallel}{(options.DropSeparately ? " --separately" : string.Empty)}")}, batch window {options.BatchMaxFiles} files / {options.BatchMaxSeconds.ToString(CultureInfo.InvariantCulture)} s{string.Concat(options.Environment.Select(e => $", {e.Key}={e.Value}"))}";

    private static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        var values = sorted.Order().ToList();
        return values.Count == 0 ? 0 : values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
    }

    /// <summary>The CLI, built in Release beside the bench (`dotnet build cli -c Release`), as a user runs it.</summary>
    private static string BuildCli(string root)
    {
        var dll = Path.Combine(root, "cli", "bin", "Release", "net10.0", "tributary.dll");
        if (Environment.GetEnvironmentVariable("BENCH_NO_BUILD") != "1")
        {
            using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", Path.Combine(root, "cli"), "-c", "Release", "-v", "q", "-nologo"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = build.StandardOutput.ReadToEnd();
            build.WaitForExit();
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"building the CLI failed: {text}");
            }
        }

        return dll;
    }
}
