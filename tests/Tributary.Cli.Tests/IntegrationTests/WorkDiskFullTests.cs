using Tributary.Testing.Processes;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Cli.Tests.IntegrationTests.Tables;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// `tributary serve` with its work directory on a 4 MB tmpfs (its own mount namespace, `unshare -rm`): a chunk that
/// does not fit fails with a reason naming the full work directory, is retried by the activity policy, and the run
/// fails without a commit and without quarantining the (good) input; serve stays up. Once the disk is larger (remounted
/// inside serve's namespace) the same rows dropped again are committed exactly once, as the oracle counts them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WorkDiskFullTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Dataset = "taxi";

    private readonly string work = Directory.CreateTempSubdirectory("tributary-diskfull-").FullName;

    [MountNamespaceFact]
    public async Task A_chunk_hitting_a_full_work_disk_fails_clearly_is_not_quarantined_and_the_rows_commit_once_space_is_back()
    {
        var clock = Stopwatch.StartNew();
        var disk = Directory.CreateDirectory(Path.Combine(work, "disk")).FullName;
        var taskHub = TestHosts.NewTaskHub();
        var file = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", 60_000, seed: 61, firstTripId: 61_000_000);
        Assert.True(new FileInfo(file).Length > 4 << 20, "the input must not fit the 4 MB disk");

        await using var client = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, taskHub), HostRole.ClientOnly, watch: false);
        var environment = TestHosts.ChildEnvironment(TestHosts.Configuration(azurite.ConnectionString, taskHub));
        environment["Tributary__WorkDirectory"] = disk;
        using var serve = await ServeChild.StartAsync(environment, new ServeChildOptions(Launcher: ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=4m tmpfs \"$0\" && exec \"$@\"", disk]));
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();

        var full = await DropAndWaitAsync(client, incoming, "taxi/diskfull/first.csv", file);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {full.RunId} {full.Status}: {full.Error}");
        Assert.Equal(RunStatus.Failed, full.Status);
        Assert.Contains($"the work directory {disk} is out of disk space", full.Error, StringComparison.Ordinal);
        Assert.Empty(full.QuarantinedFiles);
        Assert.Null(full.Table);
        Assert.False(serve.HasExited);

        // More space, inside serve's own mount namespace (the host's view of the folder is an empty directory).
        Assert.Equal(0, Run("nsenter", "-t", serve.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "-m", "--preserve-credentials", "mount", "-o", "remount,size=256m", disk));
        var again = await DropAndWaitAsync(client, incoming, "taxi/diskfull/again.csv", file);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {again.RunId} {again.Status}, table version {again.Table?.Version}");
        Assert.Equal(RunStatus.Succeeded, again.Status);

        var commits = await DeltaLog.ReadHistoryAsync(new DatasetTables(new BlobStore(new BlobServiceClient(azurite.ConnectionString))).Curated(Dataset));
        Assert.Single(commits, h => h.Field("runId")?.GetString() == again.RunId);
        Assert.DoesNotContain(commits, h => h.Field("runId")?.GetString() == full.RunId);
        var (_, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, Dataset, work);
        Assert.Equal(TaxiOracle.ValidRows(file), ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(TaxiOracle.ValidIdSum(file), ids.IdSum);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private static async Task<RunManifest> DropAndWaitAsync(TributaryHost client, BlobContainerClient incoming, string name, string file)
    {
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        return await RunWaiter.WaitAsync(client.Client, RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString()), TimeSpan.FromMinutes(2));
    }

    private static int Run(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments);
        process.WaitForExit();
        return process.ExitCode;
    }
}
