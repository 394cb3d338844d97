using Tributary.Testing.Processes;
using System.Text.Json;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Samples;
using Tributary.Testing;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// The CLI as a user runs it: separate processes (serve in one, drop / runs / get in others) on the embedded default
/// only (no TributaryStorage), sharing the home's one detached Azurite.
/// </summary>
[Collection(HeavyTests.Name)]
[Trait("Category", "Slow")]
public sealed class LocalToolTests(ITestOutputHelper output) : IDisposable
{
    private readonly CliHome home = new();

    [Fact]
    public async Task Serve_in_one_process_drop_runs_and_get_in_others_share_one_storage()
    {
        var file = Path.Combine(home.Work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", rows: 2_000, seed: 7, firstTripId: 1);

        using var serve = await ServeChild.StartAsync(home.Environment());
        Assert.Contains("storage connection string: DefaultEndpointsProtocol=http", serve.Output, StringComparison.Ordinal);
        var storage = await StatusAsync();

        var drop = await home.RunAsync("drop", file, "--dataset", "taxi");
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var runId = drop.Stdout.Trim().Split('\t')[1];

        var run = await WaitForStatusAsync(runId, "Succeeded", serve);
        Assert.Equal("ingest", run.GetProperty("kind").GetString());
        Assert.Equal(2_000, run.GetProperty("totals").GetProperty("rowsRead").GetInt64());

        // Off a terminal the table is tab-separated and never wraps the run id.
        var table = await home.RunAsync("runs");
        Assert.StartsWith("run\tkind\tdataset\tstatus", table.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{runId}\tingest\ttaxi\tSucceeded\t1\t2000\t", table.Stdout, StringComparison.Ordinal);

        var show = await home.RunAsync("runs", "show", runId, "--json");
        using (var shown = JsonDocument.Parse(show.Stdout))
        {
            Assert.Equal("Succeeded", shown.RootElement.GetProperty("manifest").GetProperty("status").GetString());
        }

        // Without --json: the human summary, its funnel from the manifest's totals.
        var summary = await home.RunAsync("runs", "show", runId);
        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.StartsWith($"Run {runId}  Succeeded", summary.Stdout, StringComparison.Ordinal);
        Assert.Contains("2,000 read -> ", summary.Stdout, StringComparison.Ordinal);

        var get = await home.RunAsync("get", runId, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        var folder = Path.Combine(home.Work, runId);
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).ToList();
        Assert.Contains($"results/taxi/run={runId}/_manifest.json", files);
        Assert.Contains(files, f => f.StartsWith($"curated/taxi/run={runId}/part-", StringComparison.Ordinal) && f.EndsWith(".parquet", StringComparison.Ordinal));

        // Every command used the one Azurite serve started.
        Assert.Equal(storage.GetProperty("pid").GetInt32(), (await StatusAsync()).GetProperty("pid").GetInt32());

        // /metrics, as a Prometheus scraper reads it (no key): the run's rows against DuckDB over the file, and the
        // runtime's working set against the kernel's count for serve's process.
        var api = System.Text.RegularExpressions.Regex.Match(serve.Output, @"api at (http://127\.0\.0\.1:\d+/)").Groups[1].Value;
        using var scraper = new HttpClient();
        var metrics = await scraper.GetStringAsync($"{api}metrics");
        Assert.Equal(TaxiOracle.TotalRows(file), Sample(metrics, "tributary_rows_read_total", "tributary_dataset=\"taxi\""));
        if (OperatingSystem.IsLinux())
        {
            var workingSet = Sample(metrics, "dotnet_process_memory_working_set_bytes");
            var resident = ResidentBytes(serve.Pid);
            Assert.InRange(workingSet, resident * 0.7, resident * 1.3);
        }

        output.WriteLine(serve.Output);
    }

    /// <summary>One sample of a Prometheus text exposition: the line of <paramref name="name"/> with <paramref name="label"/>.</summary>
    private static double Sample(string exposition, string name, string label = "")
    {
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal));
        Assert.True(line is not null, $"no sample {name} {label} in /metrics:\n{exposition}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>VmRSS of a process, from the kernel.</summary>
    private static double ResidentBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024.0;

    [Fact]
    public async Task A_dropped_file_survives_a_SIGKILL_of_Azurite_right_after_drop_and_gets_processed()
    {
        var file = Path.Combine(home.Work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", rows: 500, seed: 8, firstTripId: 1);

        var drop = await home.RunAsync("drop", file, "--dataset", "taxi");
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var runId = drop.Stdout.Trim().Split('\t')[1];
        var pid = (await StatusAsync()).GetProperty("pid").GetInt32();
        using (var kill = System.Diagnostics.Process.Start("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // Any command brings the storage back, with the blob.
        var get = await home.RunAsync("get", "incoming/taxi/trips.csv", "--out", Path.Combine(home.Work, "back"));
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(await File.ReadAllTextAsync(file), await File.ReadAllTextAsync(Path.Combine(home.Work, "back", "trips.csv")));
        Assert.NotEqual(pid, (await StatusAsync()).GetProperty("pid").GetInt32());

        using var serve = await ServeChild.StartAsync(home.Environment());
        var run = await WaitForStatusAsync(runId, "Succeeded", serve);
        Assert.Equal(500, run.GetProperty("totals").GetProperty("rowsRead").GetInt64());
    }

    [Fact]
    public async Task A_dropped_folder_is_uploaded_whole_in_parallel_and_survives_a_SIGKILL_of_Azurite()
    {
        var folder = Directory.CreateDirectory(Path.Combine(home.Work, "landing")).FullName;
        for (var i = 0; i < 40; i++)
        {
            SampleDataSet.WriteFile(Path.Combine(folder, $"trips-{i:D3}.csv"), "csv", rows: 20, seed: i, firstTripId: (i * 20L) + 1);
        }

        var single = Path.Combine(home.Work, "single.csv");
        SampleDataSet.WriteFile(single, "csv", rows: 20, seed: 99, firstTripId: 10_000);

        var drop = await home.RunAsync("drop", folder, single, "--dataset", "taxi", "--parallel", "8");
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var lines = drop.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(41, lines.Count);
        // Dropped together: one drop, so one run for all 41 (fewer than the default 1,000 files per run).
        Assert.Single(lines.Select(l => l[1]).Distinct());
        var pid = (await StatusAsync()).GetProperty("pid").GetInt32();
        using (var kill = System.Diagnostics.Process.Start("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // drop returned only once every upload was saved: all 41 come back byte for byte after the kill.
        var back = Path.Combine(home.Work, "back");
        var get = await home.RunAsync("get", "incoming/taxi", "--out", back);
        Assert.True(get.ExitCode == 0, get.ToString());
        foreach (var file in Directory.GetFiles(folder).Append(single))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(back, Path.GetFileName(file))));
        }

        Assert.Equal(41, Directory.GetFiles(back).Length);
    }

    [Fact]
    public async Task Drop_refuses_two_files_of_one_name_before_uploading_anything()
    {
        var a = Directory.CreateDirectory(Path.Combine(home.Work, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(home.Work, "b")).FullName;
        await File.WriteAllTextAsync(Path.Combine(a, "same.csv"), "x");
        await File.WriteAllTextAsync(Path.Combine(b, "same.csv"), "y");

        var drop = await home.RunAsync("drop", a, b, "--dataset", "taxi");
        Assert.Equal(2, drop.ExitCode);
        Assert.Contains("two files named same.csv", drop.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerun_reaches_the_serve_of_its_home_with_the_homes_key_while_anonymous_calls_stay_refused()
    {
        // No key configured anywhere: rerun answered 401 ("the API has no keys configured") until serve made the home's key.
        var file = Path.Combine(home.Work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", rows: 500, seed: 9, firstTripId: 1);
        using var serve = await ServeChild.StartAsync(home.Environment());
        var drop = await home.RunAsync("drop", file, "--dataset", "taxi");
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var runId = drop.Stdout.Trim().Split('\t')[1];
        await WaitForStatusAsync(runId, "Succeeded", serve);
        var api = System.Text.RegularExpressions.Regex.Match(serve.Output, @"api at (http://127\.0\.0\.1:\d+/)").Groups[1].Value;

        using (var anonymous = new HttpClient())
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{api}api/runs")).StatusCode);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home.Home, Runtime.LocalApiKey.FileName)));
        }

        var rerun = await home.RunAsync("rerun", runId, "--api", api);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var rerunId = System.Text.RegularExpressions.Regex.Match(rerun.Stdout, @"^rerun (\S+) of ").Groups[1].Value;
        var done = await WaitForStatusAsync(rerunId, "Succeeded", serve);
        Assert.Equal(500, done.GetProperty("totals").GetProperty("rowsRead").GetInt64());

        // Off a terminal every table is tab-separated, as `runs` is: the rerun replaced the file's part, no row twice.
        var curated = done.GetProperty("totals").GetProperty("rowsCurated").GetInt64();
        var history = await home.RunAsync("table", "taxi");
        Assert.StartsWith("version\ttime (UTC)\toperation\trun\tfiles added\tfiles removed\trows added\n", history.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"\n1\t[0-9-]+ [0-9:]+\tWRITE\t{rerunId}\t1\t1\t{curated}\n", history.Stdout);
        var query = await home.RunAsync("query", "taxi", "select count(*) as n, count(distinct trip_id) as d, max(null) as nothing from curated");
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.StartsWith($"n\td\tnothing\n{curated}\t{curated}\t\n", query.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drop_into_a_dataset_without_a_definition_warns_before_serve_quarantines_the_file()
    {
        var file = Path.Combine(home.Work, "trips.csv");
        await File.WriteAllTextAsync(file, "trip_id\n1\n");

        var drop = await home.RunAsync("drop", file, "--dataset", "taxis");

        Assert.True(drop.ExitCode == 0, drop.ToString());
        Assert.Contains("no definition of dataset 'taxis'", drop.Stderr, StringComparison.Ordinal);
        Assert.Contains("there: taxi)", drop.Stderr, StringComparison.Ordinal);
        Assert.Contains("incoming/taxis/trips.csv", drop.Stdout, StringComparison.Ordinal);

        var known = await home.RunAsync("drop", file, "--dataset", "taxi");
        Assert.True(known.ExitCode == 0, known.ToString());
        Assert.DoesNotContain("warning", known.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => home.Dispose();

    private async Task<JsonElement> StatusAsync()
    {
        var status = await home.RunAsync("storage", "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        return JsonDocument.Parse(status.Stdout).RootElement.Clone();
    }

    private async Task<JsonElement> WaitForStatusAsync(string runId, string wanted, ServeChild serve)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var runs = await home.RunAsync("runs", "--json");
            Assert.True(runs.ExitCode == 0, runs.ToString());
            using var document = JsonDocument.Parse(runs.Stdout);
            foreach (var run in document.RootElement.GetProperty("runs").EnumerateArray())
            {
                if (run.GetProperty("runId").GetString() == runId && run.GetProperty("status").GetString() == wanted)
                {
                    return run.Clone();
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} not {wanted}: {runs.Stdout}{Environment.NewLine}{serve.Output}");
            await Task.Delay(1000);
        }
    }
}
