extern alias TributaryCli;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TributaryCli::Tributary.Cli.Runtime;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Testing.Processes;

namespace Tributary.Bench;

/// <summary>
/// `bench intake`: does intake cost follow the backlog, not history? Two homes (each its own shared Azurite, kept under
/// .tributary/bench so the seeded data is reused): one with an empty archive (the baseline) and one with N processed
/// inputs archived where InputArchiver puts them (archive/{name}@{etag}). Against each, `tributary serve` runs as a
/// child process and we measure
///   (a) drop-to-start of D drops one after another: the run's manifest Timings.StartedAt minus the moment the upload
///       returned (each drop waits for its manifest before the next, so runs never queue behind each other);
///   (b) restart-to-idle (see <see cref="IdleRule"/>).
///   dotnet run -c Release --project bench/Tributary.Bench -- intake [--archived 100000] [--drops 50] [--restarts 1] [--only-archived N]
/// (--only-archived N: one case only, e.g. 0 for the baseline; the load average is printed per case.)
/// </summary>
public static class IntakeBench
{
    /// <summary>Printed with the numbers, so the report says what idle means.</summary>
    public const string IdleRule =
        "idle = serve printed 'serving' AND its start-up sweep logged 'Sweep of incoming' (the watcher's first listing runs before it) " +
        "AND serve + its Azurite together used < 20% of one core in each of 4 consecutive 500 ms windows; " +
        "the time is from spawning serve to the start of that quiet stretch (granularity 0.5 s)";

    private const string Dataset = "taxi";
    private const double QuietShareOfOneCore = 0.20;
    private const int QuietWindows = 4;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    public static int Run(string[] args, string root)
    {
        var archived = BenchArgs.Number(args, "--archived", 100_000);
        var drops = BenchArgs.Number(args, "--drops", 50);
        var restarts = BenchArgs.Number(args, "--restarts", 1);
        var only = BenchArgs.Number(args, "--only-archived", -1);
        var cases = new List<CaseResult>();
        foreach (var count in only >= 0 ? [only] : new[] { 0, archived })
        {
            cases.Add(RunCaseAsync(root, count, drops, restarts).GetAwaiter().GetResult());
        }

        Console.WriteLine();
        Console.WriteLine(IdleRule);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("archived | drops | drop-to-start p50 | p95 | max | first start to idle | restart to idle (each) | CPU s to idle (each) | runs started by restarts | load average during the case");
        foreach (var c in cases)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"{c.Archived,8:N0} | {c.Starts.Count,5} | {Percentile(c.Starts, 0.50),15:F2} s | {Percentile(c.Starts, 0.95):F2} s | {c.Starts.DefaultIfEmpty().Max():F2} s | {c.FirstIdle:F1} s | {Each(c.RestartIdle)} s | {Each(c.RestartCpu)} | {c.RunsByRestart} | {c.Load}"));
        }

        return 0;
    }

    private sealed record CaseResult(int Archived, List<double> Starts, double FirstIdle, List<double> RestartIdle, List<double> RestartCpu, int RunsByRestart, string Load);

    private static async Task<CaseResult> RunCaseAsync(string root, int archived, int drops, int restarts)
    {
        var home = Path.Combine(root, ".tributary", "bench", $"intake-archived-{archived}");
        Console.WriteLine($"== {archived:N0} archived inputs (home {home})");
        var storage = await EmbeddedStorage.EnsureAsync(home, Console.WriteLine, CancellationToken.None);
        var blobs = new BlobServiceClient(storage.ConnectionString);
        await SeedArchiveAsync(blobs, archived);

        var first = StartServe(root, home);
        var (firstIdle, firstCpu) = await WaitForIdleAsync(first, storage.Pid);
        Console.WriteLine(FormattableString.Invariant($"first start idle after {firstIdle:F1} s ({firstCpu:F1} CPU s)"));

        var starts = new List<double>();
        var incoming = blobs.GetBlobContainerClient(BlobContainers.Incoming);
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        for (var i = 0; i < drops; i++)
        {
            starts.Add(await DropAndWaitForStartAsync(blobs, incoming, $"{Dataset}/bench-intake/{stamp}-{i:D3}.csv", i));
            Console.WriteLine(FormattableString.Invariant($"drop {i + 1,3}: {starts[^1]:F2} s"));
        }

        var loads = new List<string> { Load() };
        Stop(first);
        var claimsBefore = await CountAsync(blobs, BlobContainers.State, StorageLayout.IntakeClaimsOf(Dataset));
        var restartIdle = new List<double>();
        var restartCpu = new List<double>();
        for (var r = 0; r < restarts; r++)
        {
            var restarted = StartServe(root, home);
            var (seconds, cpu) = await WaitForIdleAsync(restarted, storage.Pid);
            restartIdle.Add(seconds);
            restartCpu.Add(cpu);
            loads.Add(Load());
            Console.WriteLine(FormattableString.Invariant($"restart {r + 1} idle after {seconds:F1} s, {cpu:F1} CPU s (load {loads[^1]})"));
            Stop(restarted);
        }

        var runsByRestart = await CountAsync(blobs, BlobContainers.State, StorageLayout.IntakeClaimsOf(Dataset)) - claimsBefore;
        Console.WriteLine($"runs started by the restarts: {runsByRestart}");
        return new CaseResult(archived, starts, firstIdle, restartIdle, restartCpu, runsByRestart, string.Join(", ", loads));
    }

    /// <summary>
    /// Archived copies exactly as InputArchiver leaves them (name from StorageLayout.ArchivedInput). Their claims are not
    /// written: neither the watcher nor the sweep reads a claim of a blob that is not in incoming. A marker blob records
    /// a finished seeding, so the next run reuses the data.
    /// </summary>
    private static async Task SeedArchiveAsync(BlobServiceClient blobs, int count)
    {
        var state = blobs.GetBlobContainerClient(BlobContainers.State);
        await state.CreateIfNotExistsAsync();
        var marker = state.GetBlobClient($"bench/archive-seeded-{count}");
        if (count == 0 || await marker.ExistsAsync())
        {
            return;
        }

        var archive = blobs.GetBlobContainerClient(BlobContainers.Archive);
        await archive.CreateIfNotExistsAsync();
        var body = BinaryData.FromString(Csv(1, seed: 7));
        var clock = Stopwatch.StartNew();
        var done = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var name = StorageLayout.ArchivedInput($"{Dataset}/archived/{i / 1000:D3}/{i:D6}.csv", $"0x8DC{i:X11}");
            await archive.GetBlobClient(name).UploadAsync(body, overwrite: true, ct);
            if (Interlocked.Increment(ref done) % 10_000 == 0)
            {
                Console.WriteLine(FormattableString.Invariant($"seeded {done:N0} in {clock.Elapsed.TotalSeconds:F0} s"));
            }
        });
        await marker.UploadAsync(BinaryData.FromString(count.ToString(CultureInfo.InvariantCulture)), overwrite: true);
        Console.WriteLine(FormattableString.Invariant($"seeded {count:N0} archived inputs in {clock.Elapsed.TotalSeconds:F0} s"));
    }

    private static async Task<double> DropAndWaitForStartAsync(BlobServiceClient blobs, BlobContainerClient incoming, string name, int index)
    {
        var upload = await incoming.GetBlobClient(name).UploadAsync(BinaryData.FromString(Csv(20, seed: index)), overwrite: true);
        var uploaded = DateTime.UtcNow;
        var runId = RunIds.ForBlob(Dataset, name, upload.Value.ETag.ToString());
        var manifest = blobs.GetBlobContainerClient(BlobContainers.Results).GetBlobClient(StorageLayout.Manifest(Dataset, runId));
        var deadline = uploaded.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (await manifest.ExistsAsync())
            {
                var content = (await manifest.DownloadContentAsync()).Value.Content;
                var committed = content.ToObjectFromJson<RunManifest>(BlobStore.Json)!;
                return (committed.Timings.StartedAt - uploaded).TotalSeconds;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no manifest for {name} (run {runId}) within 3 minutes");
    }

    /// <summary>
    /// Seconds from spawning serve until the <see cref="IdleRule"/> holds (throws after 2 minutes), and the CPU seconds
    /// serve and its Azurite used until then: on a shared machine wall time stretches with the load, CPU time much less.
    /// </summary>
    private static async Task<(double Seconds, double CpuSeconds)> WaitForIdleAsync(ServeChild serve, int azuritePid)
    {
        var quiet = 0;
        TimeSpan? quietSince = null;
        var azuriteAtSpawn = CpuTicks(azuritePid);
        var previous = CpuTicks(serve.Pid) + CpuTicks(azuritePid);
        var cpuAtQuiet = 0L;
        while (serve.Elapsed < TimeSpan.FromMinutes(2))
        {
            var windowStart = serve.Elapsed;
            await Task.Delay(Window);
            var now = CpuTicks(serve.Pid) + CpuTicks(azuritePid);
            var share = (now - previous) / (double)TicksPerSecond / (serve.Elapsed - windowStart).TotalSeconds;
            var atWindowStart = previous;
            previous = now;
            if (!serve.Said("serving") || !serve.Said("Sweep of incoming") || share >= QuietShareOfOneCore)
            {
                quiet = 0;
                quietSince = null;
                continue;
            }

            if (quietSince is null)
            {
                quietSince = windowStart;
                cpuAtQuiet = atWindowStart - azuriteAtSpawn; // serve's ticks start at 0 when spawned
            }

            if (++quiet >= QuietWindows)
            {
                return (quietSince.Value.TotalSeconds, cpuAtQuiet / (double)TicksPerSecond);
            }
        }

        throw new TimeoutException($"serve was not idle within 2 minutes:{Environment.NewLine}{serve.Output}");
    }

    private const int TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The 1-minute load average (/proc/loadavg), as the machine is shared.</summary>
    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>utime + stime of a process, in clock ticks (/proc/{pid}/stat fields 14 and 15).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static async Task<int> CountAsync(BlobServiceClient blobs, string container, string prefix)
    {
        var count = 0;
        await foreach (var _ in blobs.GetBlobContainerClient(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    private static string Csv(int rows, int seed)
    {
        var text = new StringWriter();
        new TaxiTripGenerator(seed).WriteCsv(text, rows, firstTripId: 1 + (seed * 1000L));
        return text.ToString();
    }

    private static string Each(List<double> values) => string.Join(" / ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)));

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().DefaultIfEmpty().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>`tributary serve` for a home, as a child process (API on any free port; it is not used here).</summary>
    private static ServeChild StartServe(string root, string home) =>
        ServeChild.Launch(
            new Dictionary<string, string> { [TributaryHome.EnvironmentVariable] = home },
            new ServeChildOptions(WorkingDirectory: root, ArgumentList: ["--api-port", "0"]));

    /// <summary>SIGTERM, as a user's Ctrl+C or Kubernetes stops serve; killed if it does not exit in 30 s.</summary>
    private static void Stop(ServeChild serve)
    {
        serve.Terminate(TimeSpan.FromSeconds(30));
        serve.Dispose();
    }
}
