using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Xunit.Abstractions;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests.Tables;

/// <summary>
/// Runs of every kind against one dataset on a real host: afterwards the curated Delta table holds exactly the rows of
/// the latest successful version of each input, by an oracle over the raw files (DuckDB, not the product's reader).
/// </summary>
public sealed class TableSequenceTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string work = Directory.CreateTempSubdirectory("tributary-table-seq-").FullName;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Drops_overwrite_rerun_backfill_failure_and_cancel_leave_the_latest_good_version_of_each_input_once()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var api = await ApiTestHost.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()));
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var latest = new Dictionary<string, string>(); // blob name → the local file of its latest successful version

        // Drops of several files.
        var a = await DropAsync(api, incoming, "taxi/seq/a.csv", rows: 2000, seed: 1, firstId: 1);
        var b = await DropAsync(api, incoming, "taxi/seq/b.csv", rows: 1500, seed: 2, firstId: 100_001);
        var c = await DropAsync(api, incoming, "taxi/seq/c.csv", rows: 1000, seed: 3, firstId: 200_001);
        foreach (var run in new[] { a, b, c })
        {
            Assert.Equal(RunStatus.Succeeded, run.Manifest.Status);
            latest[run.Manifest.Inputs[0].Name] = run.File;
        }

        Assert.Equal(new[] { 0L, 1, 2 }, new[] { a, b, c }.Select(r => r.Manifest.Table!.Version).Order());
        await AssertTableEqualsOracleAsync(latest, "after three drops");

        // An overwrite of one blob with new content: the old version's files leave the table.
        var a2 = await DropAsync(api, incoming, "taxi/seq/a.csv", rows: 1200, seed: 11, firstId: 300_001);
        Assert.Equal(RunStatus.Succeeded, a2.Manifest.Status);
        Assert.Equal(a.Manifest.Table!.FilesAdded, a2.Manifest.Table!.FilesRemoved);
        latest["taxi/seq/a.csv"] = a2.File;
        await AssertTableEqualsOracleAsync(latest, "after the overwrite");

        // A rerun of b: the same version, so the rerun's parts replace the original's.
        var rerun = await PostAsync<RunAccepted>(api, $"/api/runs/{b.Manifest.RunId}/rerun");
        var rerunManifest = await RunWaiter.WaitAsync(api.Host.Client, rerun.RunId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, rerunManifest.Status);
        Assert.Equal(b.Manifest.Table!.FilesAdded, rerunManifest.Table!.FilesRemoved);
        await AssertTableEqualsOracleAsync(latest, "after the rerun");

        // A forced backfill of everything under seq/: each input's files replaced by the backfill's.
        var backfill = await PostAsync<RunAccepted>(api, "/api/datasets/taxi/reprocess", """{"prefix":"seq/","force":true}""");
        await WaitForRunAsync(api, backfill.RunId);
        await AssertTableEqualsOracleAsync(latest, "after the forced backfill");

        // A run that fails its tolerance commits nothing.
        var badFile = Path.Combine(work, "bad.csv");
        SampleDataSet.WriteFile(badFile, "csv", 300, seed: 7, firstTripId: 400_001);
        // Every data record's first field (trip_id) made non-numeric: all rows rejected, far above the 5% tolerance.
        var lines = await File.ReadAllLinesAsync(badFile);
        await File.WriteAllLinesAsync(badFile, lines.Select((line, i) => i == 0 || line.Length == 0 ? line : "x" + line));
        var bad = await DropFileAsync(api, incoming, "taxi/seq/bad.csv", badFile);
        Assert.Equal(RunStatus.Failed, bad.Status);
        Assert.Null(bad.Table);
        await AssertTableEqualsOracleAsync(latest, "after the failed run");

        // A canceled run commits nothing (if it finished before the cancel, it re-committed the same version: same rows).
        var rerunOfC = await PostAsync<RunAccepted>(api, $"/api/runs/{c.Manifest.RunId}/rerun");
        var cancel = await api.Http.PostAsync($"/api/runs/{rerunOfC.RunId}/cancel", null);
        var history = await DeltaLog.ReadHistoryAsync(new Orchestrations.Tables.DatasetTables(new BlobStore(new BlobServiceClient(azurite.ConnectionString))).Curated("taxi"));
        if (cancel.StatusCode == HttpStatusCode.OK)
        {
            Assert.DoesNotContain(history, h => h.Field("runId")?.GetString() == rerunOfC.RunId);
        }
        else
        {
            await RunWaiter.WaitAsync(api.Host.Client, rerunOfC.RunId, TimeSpan.FromMinutes(2));
        }

        output.WriteLine($"cancel answered {cancel.StatusCode}");
        var (snapshot, _) = await AssertTableEqualsOracleAsync(latest, "at the end");

        // Versions are contiguous, one commit per committed run; the dataset endpoint agrees with the table.
        history = await DeltaLog.ReadHistoryAsync(new Orchestrations.Tables.DatasetTables(new BlobStore(new BlobServiceClient(azurite.ConnectionString))).Curated("taxi"));
        Assert.Equal(Enumerable.Range(0, history.Count).Select(i => (long)i), history.Select(h => h.Version));
        Assert.Equal(history.Count, history.Select(h => h.Field("runId")?.GetString()).Distinct().Count());
        var dataset = (await api.Http.GetFromJsonAsync<DatasetStatusResponse>("/api/datasets/taxi", Json))!;
        Assert.Equal(snapshot!.Version, dataset.CuratedVersion);
        Assert.Equal(latest.Values.Sum(TaxiOracle.ValidRows), dataset.Rows);
        Assert.Equal(snapshot.ActiveFiles.Count, dataset.Files);
        var unknown = await api.Http.GetAsync("/api/datasets/nosuch");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        output.WriteLine($"sequence took {clock.Elapsed.TotalSeconds:F1}s, {history.Count} commits");
    }

    private async Task<(DeltaSnapshot? Snapshot, long Rows)> AssertTableEqualsOracleAsync(Dictionary<string, string> latest, string when)
    {
        var (snapshot, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, "taxi", work);
        var expectedRows = latest.Values.Sum(TaxiOracle.ValidRows);
        var expectedSum = latest.Values.Sum(TaxiOracle.ValidIdSum);
        output.WriteLine($"{when}: version {snapshot?.Version}, {snapshot?.ActiveFiles.Count} files, {ids.Rows} rows (oracle {expectedRows})");
        Assert.True(expectedRows == ids.Rows, $"{when}: the table holds {ids.Rows} rows, the oracle {expectedRows}");
        Assert.True(ids.Rows == ids.DistinctIds, $"{when}: {ids.Rows - ids.DistinctIds} duplicated trip ids");
        Assert.True(expectedSum == ids.IdSum, $"{when}: trip id checksum {ids.IdSum}, the oracle {expectedSum}");
        return (snapshot, ids.Rows);
    }

    private async Task<(RunManifest Manifest, string File)> DropAsync(ApiTestHost api, BlobContainerClient incoming, string name, int rows, int seed, long firstId)
    {
        var file = Path.Combine(work, $"{Path.GetFileNameWithoutExtension(name)}-{seed}.csv");
        SampleDataSet.WriteFile(file, "csv", rows, seed, firstId);
        return (await DropFileAsync(api, incoming, name, file), file);
    }

    private static async Task<RunManifest> DropFileAsync(ApiTestHost api, BlobContainerClient incoming, string name, string file)
    {
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        return await RunWaiter.WaitAsync(api.Host.Client, RunIds.ForBlob("taxi", name, uploaded.Value.ETag.ToString()), TimeSpan.FromMinutes(2));
    }

    private static async Task<T> PostAsync<T>(ApiTestHost api, string path, string? body = null)
    {
        var response = await api.Http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private static async Task WaitForRunAsync(ApiTestHost api, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var status = (await api.Http.GetFromJsonAsync<RunStatusResponse>($"/api/runs/{id}", Json))!;
            if (status.Status is RunStatus.Succeeded)
            {
                return;
            }

            Assert.False(status.Status is RunStatus.Failed or RunStatus.Canceled, $"{id} ended {status.Status}");
            await Task.Delay(250);
        }

        throw new TimeoutException($"{id} did not finish");
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
