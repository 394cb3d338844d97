using System.Diagnostics;
using Azure.Storage.Blobs;
using Tributary.Cli.Runtime;
using Tributary.Testing;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// The script node loads before Azurite (azurite-preload.js) removes a few LokiJS documents one at a time instead of
/// rebuilding every index, and starts a query with an exact blob name from the name's index. Checked on Azurite's own
/// LokiJS against a brute-force scan, and on a running Azurite.
/// </summary>
public sealed class AzuritePreloadTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void Azurite_is_started_with_the_shipped_preload()
    {
        var arguments = AzuriteServer.Arguments("azurite.js", 0, 0, 0);

        Assert.Equal(["--require", AzuriteServer.PreloadScript, "azurite.js"], arguments.Take(3));
        Assert.True(File.Exists(AzuriteServer.PreloadScript), AzuriteServer.PreloadScript);
    }

    [Fact]
    public async Task Indexed_finds_after_patched_removals_equal_a_scan_of_the_collection()
    {
        // Random removals (one, a few, and more than the script's small batch) and inserts on an indexed collection
        // like Azurite's blobs; after each step every index answers as a scan of the data does.
        const string script = """
            const loki = require(require.resolve("lokijs", { paths: [process.cwd()] }));
            require(process.argv[2]).patch(loki);
            if (!loki.Collection.prototype.removeBatchByPositions.tributaryPatched) throw new Error("not patched");
            const db = new loki("check", { persistenceMethod: "memory" });
            const blobs = db.addCollection("blobs", { indices: ["containerName", "name", "snapshot"] });
            let seed = 7, next = 0;
            const random = (n) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
            const make = () => ({ containerName: "c" + random(4), name: "n" + random(500) + "-" + next++, snapshot: random(5) === 0 ? "s" : "" });
            for (let i = 0; i < 2000; i++) blobs.insert(make());
            const same = (query, keep) => {
              const found = blobs.find(query).map((d) => d.$loki).sort((a, b) => a - b);
              const scanned = blobs.data.filter(keep).map((d) => d.$loki).sort((a, b) => a - b);
              if (found.join() !== scanned.join()) throw new Error("index differs from scan for " + JSON.stringify(query));
            };
            for (let step = 0; step < 300; step++) {
              const pick = blobs.data[random(blobs.data.length)];
              const kind = step % 3;
              const removed = kind === 0 ? blobs.findAndRemove({ name: pick.name })
                : kind === 1 ? blobs.findAndRemove({ containerName: pick.containerName, name: { $lt: pick.name.slice(0, 3) } })
                : blobs.chain().find({ snapshot: "s", containerName: pick.containerName }).limit(3).remove();
              blobs.insert(make());
              const probe = blobs.data[random(blobs.data.length)];
              same({ name: probe.name }, (d) => d.name === probe.name);
              same({ containerName: probe.containerName }, (d) => d.containerName === probe.containerName);
              same({ name: { $gt: probe.name } }, (d) => d.name > probe.name);
              same({ snapshot: "s" }, (d) => d.snapshot === "s");
              same({ containerName: probe.containerName, name: probe.name }, (d) => d.containerName === probe.containerName && d.name === probe.name);
              same({ containerName: pick.containerName, name: probe.name, snapshot: "" }, (d) => d.containerName === pick.containerName && d.name === probe.name && d.snapshot === "");
              if (blobs.count({ containerName: probe.containerName, name: probe.name }) !== 1) throw new Error("count by name");
            }
            console.log("ok " + blobs.data.length);
            """;
        var file = Path.Combine(Path.GetTempPath(), $"tributary-preload-check-{Environment.ProcessId}.js");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var start = new ProcessStartInfo("node") { WorkingDirectory = ToolsLocator.FindToolsRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(file);
            start.ArgumentList.Add(AzuriteServer.PreloadScript);
            using var node = Process.Start(start)!;
            var output = node.StandardOutput.ReadToEndAsync();
            var errors = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();

            Assert.True(node.ExitCode == 0, await errors);
            Assert.StartsWith("ok ", await output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_running_Azurite_deletes_exactly_the_blobs_asked_for()
    {
        var service = new BlobServiceClient(azurite.ConnectionString);
        var archive = service.GetBlobContainerClient("preload-archive");
        var incoming = service.GetBlobContainerClient("preload-incoming");
        await archive.CreateIfNotExistsAsync();
        await incoming.CreateIfNotExistsAsync();
        var names = Enumerable.Range(0, 120).Select(i => $"taxi/part-{i:D3}.csv").ToList();
        await Parallel.ForEachAsync(names, async (name, ct) =>
        {
            await archive.GetBlobClient(name).UploadAsync(BinaryData.FromString(name), ct);
            await incoming.GetBlobClient(name).UploadAsync(BinaryData.FromString(name), ct);
        });

        // Every third name leaves incoming, as the archiver deletes an input once it is copied.
        var deleted = names.Where((_, i) => i % 3 == 0).ToHashSet(StringComparer.Ordinal);
        await Parallel.ForEachAsync(deleted, async (name, ct) => await incoming.GetBlobClient(name).DeleteAsync(cancellationToken: ct));

        var left = new List<string>();
        await foreach (var item in incoming.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "taxi/part-0", CancellationToken.None))
        {
            left.Add(item.Name);
        }

        var kept = new List<string>();
        await foreach (var item in archive.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, CancellationToken.None))
        {
            kept.Add(item.Name);
        }

        Assert.Equal(names.Where(n => !deleted.Contains(n) && n.StartsWith("taxi/part-0", StringComparison.Ordinal)), left);
        Assert.Equal(names, kept);
        foreach (var name in deleted.Take(5))
        {
            Assert.False(await incoming.GetBlobClient(name).ExistsAsync());
        }
    }
}
