using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Testing.Processes;

namespace Tributary.Bench.EndToEnd;

/// <summary>
/// The product end to end as a user drives it: `tributary drop FOLDER` into a running `tributary serve`, then wait
/// until every input is in a run whose manifest (written after the table commit and the aggregate refresh) is there.
/// </summary>
public static class ProductPath
{
    public sealed record Result(
        double UploadSeconds,
        double DropSeconds,
        double WallSeconds,
        IReadOnlyList<RunManifest> Manifests,
        IReadOnlyList<double> DropToStartSeconds,
        double ServePeakMb,
        IReadOnlyList<(string Name, double PeakMb, double CpuSeconds)> Helpers,
        double ServeCpuSeconds);

    /// <param name="warmUp">A folder serve takes in first, untimed (`--warm`); its runs are left out of the result.</param>
    public static async Task<Result> RunAsync(string tributary, string folder, string home, E2eOptions options, IReadOnlyDictionary<string, string> environment, string? warmUp = null)
    {
        var work = Directory.CreateDirectory(Path.Combine(home, "work")).FullName;
        var childEnvironment = new Dictionary<string, string>(environment) { ["TRIBUTARY_HOME"] = Path.Combine(home, "home") };
        using var storage = new HomeStorage(tributary, childEnvironment);
        using var serve = await ServeChild.StartAsync(childEnvironment, new ServeChildOptions(tributary, work, Timeout: TimeSpan.FromMinutes(3)));
        var expected = Directory.GetFiles(folder).Length;
        var results = new BlobServiceClient(serve.ConnectionString).GetBlobContainerClient(BlobContainers.Results);
        var warmUpRuns = warmUp is null ? new HashSet<string>(StringComparer.Ordinal) : await WarmUpAsync(tributary, warmUp, childEnvironment, work, results);

        // Each upload's acknowledgement: when the file is in incoming, the start of its drop-to-start.
        var uploadedAt = new ConcurrentDictionary<string, DateTime>(StringComparer.Ordinal);
        // CPU from the drop on: serve's and its helpers' (Azurite, sidecar) core-seconds for this run, beside the wall time.
        var serveCpuBefore = ServeChild.CpuSeconds(serve.Pid);
        var helpersCpuBefore = serve.Helpers(childEnvironment["TRIBUTARY_HOME"]).ToDictionary(h => h.Name, h => h.CpuSeconds);
        var clock = Stopwatch.StartNew();
        var dropStart = DateTime.UtcNow;
        var producer = options.Rate > 0
            ? UploadPacedAsync(serve.ConnectionString, folder, options.Rate, uploadedAt)
            : DropAsync(tributary, childEnvironment, work, folder, options, uploadedAt);

        var manifests = new Dictionary<string, RunManifest>(StringComparer.Ordinal);
        double? dropSeconds = null;
        var deadline = DateTime.UtcNow.AddMinutes(30);
        var progressAt = TimeSpan.FromSeconds(15);
        while (manifests.Values.Sum(m => m.Inputs.Count) < expected)
        {
            if (dropSeconds is null && producer.IsCompleted)
            {
                await producer;
                dropSeconds = clock.Elapsed.TotalSeconds;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {manifests.Values.Sum(m => m.Inputs.Count)} of {expected} inputs committed after 30 min:{Environment.NewLine}{serve.Output}");
            }

            // Listing results is load on the storage being measured: once a second, and the wall time comes from the manifests.
            await Task.Delay(1000);
            if (clock.Elapsed > progressAt)
            {
                progressAt += TimeSpan.FromSeconds(15);
                Console.WriteLine(FormattableString.Invariant($"    {clock.Elapsed.TotalSeconds:F0} s: {uploadedAt.Count} uploaded, {manifests.Values.Sum(m => m.Inputs.Count)} of {expected} inputs in {manifests.Count} finished runs; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }

            if (!await results.ExistsAsync())
            {
                continue;
            }

            await ReadNewManifestsAsync(results, manifests, warmUpRuns);
        }

        // Drop start to the last run's completion (its manifest is written right after, by the run's last activities).
        var wall = (manifests.Values.Max(m => m.Timings.CompletedAt) - dropStart).TotalSeconds;
        if (System.Environment.GetEnvironmentVariable("BENCH_SERVE_LOGS") is { Length: > 0 } logs)
        {
            // serve's own timestamped log, one file per run, to see where a run waited (commit and refresh lines).
            await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(logs).FullName, $"serve-{dropStart:HHmmss}.log"), serve.Output);
        }

        var servePeak = ServeChild.PeakMb(serve.Pid);
        var serveCpu = ServeChild.CpuSeconds(serve.Pid) - serveCpuBefore;
        var helpers = serve.Helpers(childEnvironment["TRIBUTARY_HOME"])
            .Select(h => h with { CpuSeconds = h.CpuSeconds - helpersCpuBefore.GetValueOrDefault(h.Name) }).ToList();
        await producer;
        dropSeconds ??= clock.Elapsed.TotalSeconds;
        var lastUpload = uploadedAt.Values.DefaultIfEmpty(dropStart).Max();
        var dropToStart = manifests.Values
            .SelectMany(m => m.Inputs.Select(i => (m.Timings.StartedAt - (uploadedAt.TryGetValue(i.Name, out var at) ? at : i.LastModified?.UtcDateTime ?? dropStart)).TotalSeconds))
            .Order()
            .ToList();
        return new Result((lastUpload - dropStart).TotalSeconds, dropSeconds.Value, wall, [.. manifests.Values], dropToStart, servePeak, helpers, serveCpu);
    }

    /// <summary>`tributary drop FOLDER`, noting each upload's acknowledgement as drop prints it (one line per file, as soon as it is uploaded).</summary>
    private static async Task DropAsync(string tributary, Dictionary<string, string> environment, string work, string folder, E2eOptions options, ConcurrentDictionary<string, DateTime> uploadedAt)
    {
        string[] dropArgs = ["drop", folder, "--dataset", "taxi", "--parallel", options.DropParallel.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options.DropSeparately ? ["--separately"] : Array.Empty<string>()];
        using var drop = Process.Start(ServeChild.Command(tributary, environment, work, dropArgs))!;
        drop.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Split('\t') is [var blob, _])
            {
                uploadedAt[blob[(blob.IndexOf('/', StringComparison.Ordinal) + 1)..]] = DateTime.UtcNow;
            }
        };
        var dropErrors = new System.Text.StringBuilder();
        drop.ErrorDataReceived += (_, e) => dropErrors.AppendLine(e.Data);
        drop.BeginOutputReadLine();
        drop.BeginErrorReadLine();
        await drop.WaitForExitAsync();
        if (drop.ExitCode != 0)
        {
            throw new InvalidOperationException($"drop failed: {dropErrors}");
        }
    }

    /// <summary>
    /// `--rate`: the folder's files written into incoming/taxi/ at a steady rate, as any producer writes them (no drop,
    /// so serve's watcher finds each on its next listing). An upload starts when it is due, whether or not the ones before
    /// it are done, so a slow upload does not slow the arrivals.
    /// </summary>
    private static async Task UploadPacedAsync(string connectionString, string folder, double perSecond, ConcurrentDictionary<string, DateTime> uploadedAt)
    {
        var incoming = new BlobServiceClient(connectionString).GetBlobContainerClient(BlobContainers.Incoming);
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        var clock = Stopwatch.StartNew();
        var uploads = new List<Task>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            uploads.Add(UploadAsync(incoming, files[i], uploadedAt));
        }

        await Task.WhenAll(uploads);

        static async Task UploadAsync(BlobContainerClient incoming, string file, ConcurrentDictionary<string, DateTime> uploadedAt)
        {
            var name = $"taxi/{Path.GetFileName(file)}";
            await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
            uploadedAt[name] = DateTime.UtcNow;
        }
    }

    /// <summary>Adds the manifests of runs finished since the last look (all but <paramref name="ignored"/>).</summary>
    private static async Task ReadNewManifestsAsync(BlobContainerClient results, Dictionary<string, RunManifest> manifests, HashSet<string> ignored)
    {
        if (!await results.ExistsAsync())
        {
            return;
        }

        await foreach (var blob in results.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "taxi/", default))
        {
            if (blob.Name.EndsWith("/_manifest.json", StringComparison.Ordinal) && !manifests.ContainsKey(blob.Name) && !ignored.Contains(blob.Name))
            {
                var content = await results.GetBlobClient(blob.Name).DownloadContentAsync();
                manifests[blob.Name] = JsonSerializer.Deserialize<RunManifest>(content.Value.Content.ToString(), BlobStore.Json)!;
            }
        }
    }

    /// <summary>Drops the warm-up folder and waits for its runs: what serve does in its first minute is then behind it.</summary>
    private static async Task<HashSet<string>> WarmUpAsync(string tributary, string folder, IReadOnlyDictionary<string, string> environment, string work, BlobContainerClient results)
    {
        var clock = Stopwatch.StartNew();
        using (var drop = Process.Start(ServeChild.Command(tributary, environment, work, ["drop", folder, "--dataset", "taxi"]))!)
        {
            var output = drop.StandardOutput.ReadToEndAsync();
            var errors = drop.StandardError.ReadToEndAsync();
            await drop.WaitForExitAsync();
            if (drop.ExitCode != 0)
            {
                throw new InvalidOperationException($"the warm-up drop failed: {await output}{await errors}");
            }
        }

        var expected = Directory.GetFiles(folder).Length;
        var manifests = new Dictionary<string, RunManifest>(StringComparer.Ordinal);
        while (manifests.Values.Sum(m => m.Inputs.Count) < expected)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"the warm-up drop's {expected} files were not committed in 5 minutes");
            }

            await Task.Delay(500);
            await ReadNewManifestsAsync(results, manifests, []);
        }

        Console.WriteLine(FormattableString.Invariant($"    warm-up: {expected} files taken in and committed in {clock.Elapsed.TotalSeconds:F1} s (not timed)"));
        return manifests.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Stops the home's shared Azurite when the run is over (serve leaves it running for the next command).</summary>
    private sealed class HomeStorage(string tributary, IReadOnlyDictionary<string, string> environment) : IDisposable
    {
        public void Dispose()
        {
            using var stop = Process.Start(ServeChild.Command(tributary, environment, Path.GetTempPath(), ["storage", "stop"]))!;
            stop.WaitForExit(60_000);
        }
    }
}
