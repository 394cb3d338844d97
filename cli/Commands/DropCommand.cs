using System.CommandLine;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary drop PATH... --dataset NAME`: uploads local files (a folder: the files directly in it) into
/// incoming/{dataset}/, several at a time, and returns once every upload is acknowledged (and, on the embedded storage,
/// saved to disk). Several files are one drop, taken in as one run as soon as the drop's manifest, written last, is
/// there; a folder is cut into several such drops by the dataset's batch maxFiles and by age (<see cref="DropParts"/>).
/// </summary>
public static class DropCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files, or folders whose files to upload.", Arity = ArgumentArity.OneOrMore };
        var dataset = new Option<string>("--dataset", "-d") { Description = "Dataset folder to drop into.", Required = true }.RefusingUnsafeNames();
        var parallel = new Option<int>("--parallel") { Description = "Uploads in flight at once.", DefaultValueFactory = _ => DefaultParallelUploads };
        var separately = new Option<bool>("--separately")
        {
            Description = "Take each file in on its own (its own run, or the dataset's batch window) instead of one run for the files dropped together.",
        };
        var command = new Command("drop", "Upload local files into incoming/{dataset}/.") { paths, dataset, parallel, separately };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            var given = parse.GetValue(paths)!;
            var missing = given.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"tributary: no such file: {string.Join(", ", missing.Select(Path.GetFullPath))}");
                return 2;
            }

            var files = FilesOf(given);
            // Two files of one name would be one blob: the later upload would silently replace the earlier.
            if (files.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                Console.Error.WriteLine($"tributary: two files named {twice.Key}: {string.Join(", ", twice.Select(f => f.FullName))}");
                return 2;
            }

            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var container = new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
            await container.CreateIfNotExistsAsync(cancellationToken: cli.Shutdown);
            var name = parse.GetValue(dataset)!;
            // Files dropped together are one drop: each carries its id, and a manifest written after its last upload lets
            // intake seal them into one run at once (no window to wait for). A folder larger than one run, or slower to
            // upload than DropPartAge, is several drops of a run each, each sealed as soon as its own files are up:
            // the first run starts while the rest upload. One file alone is taken in as before.
            var together = files.Count > 1 && !parse.GetValue(separately);
            var options = cli.Configuration.Pipeline();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var definition = Definition(options, name);
            var drops = new DropParts(files.Count, DropPlanner.MaxFilesPerRun(definition?.Batch ?? options.Batch, options), options.DropPartAge, () => clock.Elapsed);
            var uploaded = new AzuriteDurability.UploadedBlob[files.Count];
            var versions = new BlobReference[files.Count];
            var manifests = new List<AzuriteDurability.UploadedBlob>();
            async Task SealAsync(DropPart drop, CancellationToken token)
            {
                var manifestName = StorageLayout.DropManifest(name, drop.Id);
                var manifest = BinaryData.FromObjectAsJson(new DropManifest(drop.Id, name, [.. drop.Files.Select(i => versions[i])]), BlobStore.Json);
                var written = await container.GetBlobClient(manifestName).UploadAsync(manifest, overwrite: true, token);
                lock (manifests)
                {
                    manifests.Add(new AzuriteDurability.UploadedBlob(BlobContainers.Incoming, manifestName, written.Value.ETag.ToString()));
                }
            }

            // Each upload waits on a round trip far longer than it computes: several in flight fill the link (1 was 16 files/s on Azurite).
            // Files join their drop as the loop takes them, one at a time in upload order, so each drop is a run of
            // consecutive files; the loop takes the next when an upload slot frees, so a file joins as its upload starts.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, files.Count).Select(i => (Index: i, Joined: together ? drops.Join(i) : ((DropPart Part, DropPart? Sealable)?)null)),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(parallel)), CancellationToken = cli.Shutdown },
                async (next, token) =>
                {
                    var (i, joined) = next;
                    if (joined?.Sealable is { } sealable)
                    {
                        await SealAsync(sealable, token);
                    }

                    var drop = joined?.Part;
                    var blobName = $"{name}/{files[i].Name}";
                    var response = await container.GetBlobClient(blobName).UploadAsync(files[i].FullName, new BlobUploadOptions { Metadata = drop?.Metadata }, token);
                    uploaded[i] = new AzuriteDurability.UploadedBlob(BlobContainers.Incoming, blobName, response.Value.ETag.ToString());
                    versions[i] = new BlobReference(BlobContainers.Incoming, blobName, response.Value.ETag.ToString().Trim('"'), files[i].Length);
                    var runId = drop is null ? RunIds.ForBlob(name, blobName, response.Value.ETag.ToString()) : RunIds.ForDrop(name, drop.Id, 0);
                    var line = $"{BlobContainers.Incoming}/{blobName}\t{runId}";
                    lock (uploaded)
                    {
                        Console.WriteLine(line);
                    }

                    if (drop is not null && drops.Uploaded(drop))
                    {
                        await SealAsync(drop, token);
                    }
                });
            uploaded = [.. uploaded, .. manifests];

            if (storage.Embedded is { } embedded)
            {
                // Azurite saves its index every 5 s: return only once the uploads are on disk, so they survive a kill.
                if (!await AzuriteDurability.WaitUntilPersistedAsync(embedded.DataFolder, uploaded, new BlobServiceClient(storage.ConnectionString), TimeSpan.FromSeconds(30), cli.Shutdown))
                {
                    Console.Error.WriteLine("tributary: the embedded storage has not saved the uploads to disk within 30 s; they are lost if it is killed now.");
                    return 1;
                }

                Console.Error.WriteLine("Dropped into the embedded storage (saved to disk); `tributary serve` processes them.");
            }

            return 0;
        });
        return command;
    }

    private const int DefaultParallelUploads = 16;

    /// <summary>
    /// This folder's definition of the dataset, which serve reads too (how intake splits the drop comes from it), or null
    /// with a warning: a serve that has no definition quarantines the files, so a mistyped name is said before the upload.
    /// Only a warning, since a serve elsewhere (TRIBUTARY_STORAGE) may read other definitions than this folder's.
    /// </summary>
    private static DatasetDefinition? Definition(PipelineOptions options, string dataset)
    {
        var catalog = new DatasetCatalog(options.DatasetsPath);
        try
        {
            if (catalog.Find(dataset) is { } definition)
            {
                return definition;
            }

            var known = catalog.Names();
            Console.Error.WriteLine(
                $"tributary: warning: no definition of dataset '{dataset}' in {catalog.Folder} ({(known.Count == 0 ? "none there" : $"there: {string.Join(", ", known)}")}); " +
                "a serve reading this folder quarantines them as an unknown dataset's files.");
        }
        catch (DatasetDefinitionException e)
        {
            Console.Error.WriteLine($"tributary: warning: {e.Message} A serve reading it quarantines these files.");
        }

        return null;
    }

    /// <summary>The files to upload: each file given, and the files directly in each folder given (by name, so a run is reproducible).</summary>
    private static List<FileInfo> FilesOf(IEnumerable<string> paths)
    {
        var files = new List<FileInfo>();
        foreach (var path in paths)
        {
            files.AddRange(Directory.Exists(path)
                ? new DirectoryInfo(path).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal)
                : [new FileInfo(path)]);
        }

        return files;
    }
}
