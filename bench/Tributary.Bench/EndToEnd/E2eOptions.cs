using System.Globalization;

namespace Tributary.Bench.EndToEnd;

/// <summary>
/// Options of `bench e2e`. Modes: mix (~3 M taxi rows over CSV, gzip, JSON lines and Parquet parts, one batch run),
/// small (many ~10 KB CSV files in batch runs), per-file (small files, one run each: no batch window).
/// </summary>
public sealed record E2eOptions(
    string Mode,
    int Files,
    long Rows,
    int Repeat,
    int BatchMaxFiles,
    double BatchMaxSeconds,
    int DropParallel,
    bool DropSeparately,
    bool SkipDirect,
    bool Warm,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Levers,
    double Rate = 0)
{
    public const string Usage = """
        usage: e2e [--mode mix|small|per-file] [--files N] [--rows N] [--repeat N] [--batch-files N] [--batch-seconds S]
                   [--drop-parallel N] [--drop-separately] [--rate R] [--no-direct] [--warm] [--env KEY=VALUE ...] [--lever KEY=VALUE[,KEY=VALUE] ...]
          mix      : --rows total rows (default 300,000; the issue's size is 3,000,000) over --files parts (default 24)
          small    : --files files of ~10 KB (default 1,000; the issue's size is 10,000), batch window of --batch-files (default 500)
          per-file : --files files of ~10 KB (default 100), one run each (dropped --separately)
          --rate   : the files arrive at R a second instead of in one drop, uploaded by the bench as any producer writes
                     into incoming (serve's watcher finds them): drop-to-start at a steady arrival rate, not in a burst
          --warm   : serve first takes in a small warm-up drop (one file per format) and the timing starts after it:
                     the steady state of a serve that runs all day, not its first minute (tiered JIT, first connections)
          --env    : extra settings for `tributary serve` and `drop`, e.g. --env Tributary__Engine__PartitionCount=2
          --lever  : a variant run after the baseline in every round (A B A B ...), settings as --env;
                     drop.parallel=N changes `drop --parallel`; drop.separately=true adds `drop --separately` (each file
                     taken in on its own: the behaviour before drops were one run). e.g. --lever drop.parallel=1 --lever Tributary__WatchInterval=00:00:00.2
                     runshape=off turns the run-shape levers off together (commit queue, refresh coalescing, commit+refresh
                     in one activity, manifest+archive in one, processing inside planning, the whole finish in one); one alone: --lever Tributary__RunShape__CommitQueue=false
          BENCH_SERVE_LOGS=DIR keeps each serve's log there (serve-HHmmss.log, the drop's start time)
        """;

    /// <summary>The switches of Tributary.Orchestrations.RunShapeOptions, as serve reads them from its environment.</summary>
    public static readonly IReadOnlyList<string> RunShapeLevers =
        ["Tributary__RunShape__CommitQueue", "Tributary__RunShape__CoalesceRefreshes", "Tributary__RunShape__CommitWithRefresh", "Tributary__RunShape__ArchiveWithManifest", "Tributary__RunShape__ProcessWithPlan", "Tributary__RunShape__FinishInOneActivity"];

    /// <summary>These options with a lever's settings on top ("K=V,K=V"; drop.parallel=N sets <see cref="DropParallel"/>).</summary>
    public E2eOptions With(string lever)
    {
        var environment = new Dictionary<string, string>(Environment);
        var dropParallel = DropParallel;
        var dropSeparately = DropSeparately;
        foreach (var setting in lever.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = setting.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException($"lever setting '{setting}' is not KEY=VALUE");
            if (key == "drop.parallel")
            {
                dropParallel = int.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (key == "runshape")
            {
                // The run-shape levers (issue #17) together: runshape=off is the run's shape before them.
                var on = value switch { "on" => "true", "off" => "false", _ => throw new ArgumentException($"runshape={value}: expected on or off") };
                foreach (var name in RunShapeLevers)
                {
                    environment[name] = on;
                }
            }
            else if (key == "drop.separately")
            {
                dropSeparately = bool.Parse(value);
            }
            else
            {
                environment[key] = value;
            }
        }

        return this with { Environment = environment, DropParallel = dropParallel, DropSeparately = dropSeparately };
    }

    public static E2eOptions Parse(string[] args)
    {
        var mode = BenchArgs.Value(args, "--mode") ?? "mix";
        var (files, rows, batchFiles, batchSeconds) = mode switch
        {
            "mix" => (24, 300_000L, 0, 3.0),
            "small" => (1_000, 0L, 500, 5.0),
            "per-file" => (100, 0L, 0, 0.0),
            _ => throw new ArgumentException($"unknown mode '{mode}'"),
        };
        var environment = new Dictionary<string, string>();
        foreach (var setting in BenchArgs.Values(args, "--env"))
        {
            // A setting without '=' is ignored.
            if (setting.Split('=', 2) is [var key, var value])
            {
                environment[key] = value;
            }
        }

        return new E2eOptions(
            mode,
            BenchArgs.Number(args, "--files", files),
            BenchArgs.Number(args, "--rows", rows),
            BenchArgs.Number(args, "--repeat", 1),
            BenchArgs.Number(args, "--batch-files", batchFiles),
            BenchArgs.Number(args, "--batch-seconds", batchSeconds),
            BenchArgs.Number(args, "--drop-parallel", 16),
            // One run per file is what per-file measures: its files are dropped separately (a drop of a folder is one run).
            mode == "per-file" || BenchArgs.Flag(args, "--drop-separately"),
            BenchArgs.Flag(args, "--no-direct"),
            BenchArgs.Flag(args, "--warm"),
            environment,
            BenchArgs.Values(args, "--lever"),
            BenchArgs.Number(args, "--rate", 0.0));
    }
}
