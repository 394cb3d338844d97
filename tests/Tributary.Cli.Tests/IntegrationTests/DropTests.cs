using Tributary.Testing.Processes;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// `drop` of several files as a user runs it (serve and drop in separate processes): one drop is one run, the table
/// holds what an oracle over the raw files says whichever way the files were dropped, and a drop whose manifest never
/// comes still gets every file processed once.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DropTests : IDisposable
{
    private readonly CliHome home = new();

    [Fact]
    public async Task Files_dropped_together_are_one_run_and_the_table_holds_the_same_rows_as_files_dropped_separately()
    {
        var together = Folder("together", 4, firstSeed: 1);
        var separately = Folder("separately", 3, firstSeed: 11);
        using var serve = await ServeChild.StartAsync(home.Environment());

        var one = await DropAsync(together);
        var three = await DropAsync(separately, "--separately");

        Assert.Single(one.Distinct());
        Assert.Equal(3, three.Distinct().Count());
        Assert.Equal(4, await WaitForSucceededAsync([.. one.Distinct(), .. three], serve));
        await AssertTableEqualsOracleAsync([.. Directory.GetFiles(together), .. Directory.GetFiles(separately)]);
    }

    [Fact]
    public async Task A_folder_larger_than_one_run_is_sealed_run_by_run_as_its_files_are_up()
    {
        var folder = Folder("parts", 10, firstSeed: 31);
        var settings = home.Environment(new Dictionary<string, string> { ["Tributary__DropMaxFilesPerRun"] = "4" });
        using var serve = await ServeChild.StartAsync(settings);

        var drop = await CliResult.RunAsync(["drop", folder, "--dataset", "taxi"], settings, home.Work, TimeSpan.FromMinutes(3));
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var printed = drop.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(l => l[0], l => l[1]);

        // Files in name order, 4 to a run: each run holds exactly the files drop named for it, and nothing else ran.
        var names = Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var expected = names.Select((n, i) => (Run: printed[$"{BlobContainers.Incoming}/taxi/{n}"], Part: i / 4)).ToList();
        Assert.Equal(3, expected.Select(e => e.Run).Distinct().Count());
        Assert.All(expected.GroupBy(e => e.Run), run => Assert.Single(run.Select(e => e.Part).Distinct()));
        Assert.Equal(3, await WaitForSucceededAsync([.. printed.Values.Distinct()], serve));
        var listed = await home.RunAsync("runs", "--json");
        using var runs = JsonDocument.Parse(listed.Stdout);
        var inputs = runs.RootElement.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("runId").GetString()!, r => r.GetProperty("inputs").GetInt32());
        Assert.Equal(expected.GroupBy(e => e.Run).ToDictionary(g => g.Key, g => g.Count()), inputs);
        await AssertTableEqualsOracleAsync(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task Files_uploaded_longer_apart_than_the_drop_age_go_to_the_next_run()
    {
        var folder = Folder("aged", 3, firstSeed: 41);
        // Age zero, one upload at a time: each file starts after the drop it could join has aged, so each is a run, and
        // each drop but the last is sealed by the next file's start (the last by its own upload).
        var settings = home.Environment(new Dictionary<string, string> { ["Tributary__DropPartAge"] = "00:00:00" });
        using var serve = await ServeChild.StartAsync(settings);

        var drop = await CliResult.RunAsync(["drop", folder, "--dataset", "taxi", "--parallel", "1"], settings, home.Work, TimeSpan.FromMinutes(3));
        Assert.True(drop.ExitCode == 0, drop.ToString());
        var runIds = drop.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[1]).ToList();

        Assert.Equal(3, runIds.Distinct().Count());
        Assert.Equal(3, await WaitForSucceededAsync(runIds, serve));
        await AssertTableEqualsOracleAsync(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task Files_of_a_drop_whose_manifest_never_comes_are_each_taken_in_once_after_the_wait()
    {
        var folder = Folder("killed", 3, firstSeed: 21);
        using var serve = await ServeChild.StartAsync(home.Environment(new Dictionary<string, string> { ["Tributary__DropManifestWait"] = "00:00:02" }));

        // A drop killed after its uploads, before its manifest: the files carry the drop's metadata, no manifest follows.
        var container = new BlobServiceClient(await ConnectionStringAsync()).GetBlobContainerClient(BlobContainers.Incoming);
        var runs = new List<string>();
        foreach (var file in Directory.GetFiles(folder))
        {
            var name = $"taxi/{Path.GetFileName(file)}";
            var uploaded = await container.GetBlobClient(name).UploadAsync(file, new BlobUploadOptions
            {
                Metadata = new Dictionary<string, string> { [DropMetadata.DropKey] = "killed-midway" },
            });
            runs.Add(RunIds.ForBlob("taxi", name, uploaded.Value.ETag.ToString()));
        }

        // Each file in its own run, and no other run (the drop never became one).
        Assert.Equal(3, await WaitForSucceededAsync(runs, serve));
        await AssertTableEqualsOracleAsync(Directory.GetFiles(folder));
    }

    public void Dispose() => home.Dispose();

    /// <summary>Waits until every one of <paramref name="runIds"/> has succeeded; returns how many runs there are in all.</summary>
    private async Task<int> WaitForSucceededAsync(IReadOnlyCollection<string> runIds, ServeChild serve)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var runs = await home.RunAsync("runs", "--json");
            Assert.True(runs.ExitCode == 0, runs.ToString());
            using var document = JsonDocument.Parse(runs.Stdout);
            var all = document.RootElement.GetProperty("runs").EnumerateArray().ToList();
            var succeeded = all.Where(r => r.GetProperty("status").GetString() == "Succeeded").Select(r => r.GetProperty("runId").GetString()).ToHashSet();
            if (runIds.All(succeeded.Contains))
            {
                return all.Count;
            }

            Assert.True(DateTime.UtcNow < deadline, $"runs {string.Join(", ", runIds)} not all succeeded: {runs.Stdout}{Environment.NewLine}{serve.Output}");
            await Task.Delay(1000);
        }
    }

    private string Folder(string name, int files, int firstSeed)
    {
        var folder = Directory.CreateDirectory(Path.Combine(home.Work, name)).FullName;
        for (var i = 0; i < files; i++)
        {
            var seed = firstSeed + i;
            SampleDataSet.WriteFile(Path.Combine(folder, $"{name}-{i}.csv"), "csv", rows: 50, seed: seed, firstTripId: (seed * 1_000L) + 1);
        }

        return folder;
    }

    /// <summary>The run id drop printed for each file.</summary>
    private async Task<List<string>> DropAsync(string folder, params string[] options)
    {
        var drop = await home.RunAsync(["drop", folder, "--dataset", "taxi", .. options]);
        Assert.True(drop.ExitCode == 0, drop.ToString());
        return [.. drop.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[1])];
    }

    private async Task<string> ConnectionStringAsync()
    {
        var status = await home.RunAsync("storage", "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using var document = JsonDocument.Parse(status.Stdout);
        return document.RootElement.GetProperty("connectionString").GetString()!;
    }

    /// <summary>Rows and the sum of their trip ids in the curated table, against DuckDB over the raw files.</summary>
    private async Task AssertTableEqualsOracleAsync(IReadOnlyList<string> files)
    {
        var query = await home.RunAsync("query", "taxi", "SELECT count(*) AS n, sum(CAST(trip_id AS BIGINT)) AS s, count(DISTINCT trip_id) AS d FROM curated", "--json");
        Assert.True(query.ExitCode == 0, query.ToString());
        using var document = JsonDocument.Parse(query.Stdout);
        var row = document.RootElement[0];
        var rows = files.Sum(TaxiOracle.ValidRows);
        Assert.Equal(rows, row.GetProperty("n").GetInt64());
        Assert.Equal(rows, row.GetProperty("d").GetInt64());
        Assert.Equal(files.Sum(TaxiOracle.ValidIdSum), long.Parse(row.GetProperty("s").ToString(), CultureInfo.InvariantCulture));
    }
}
