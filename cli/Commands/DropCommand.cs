using System.CommandLine;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary drop PATH... --dataset NAME`: uploads local files (a folder: the files directly in it) into
/// incoming/{dataset}/, several at a time, and returns once every upload is acknowledged (and, on the embedded storage,
/// saved to disk). Several files are one drop: intake takes them in as one run (split by the dataset's batch maxFiles)
/// as soon as the drop's manifest, written last, is there.
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
            // Files dropped together are one drop: each carries its id, and a manifest written after the last upload lets
            // intake seal them into one run at once (no window to wait for). One file alone is taken in as before.
            var dropId = files.Count > 1 && !parse.GetValue(separately) ? Guid.CreateVersion7().ToString("N") : null;
            var metadata = dropId is null ? null : new Dictionary<string, string>
            {
                [DropMetadata.DropKey] = dropId,
                [DropMetadata.FilesKey] = files.Count.ToString(CultureInfo.InvariantCulture),
            };
            var maxFilesPerRun = MaxFilesPerRun(cli, name);
            var uploaded = new AzuriteDurability.UploadedBlob[files.Count];
            var versions = new BlobReference[files.Count];
            // Each upload waits on a round trip far longer than it computes: several in flight fill the link (1 was 16 files/s on Azurite).
            await Parallel.ForEachAsync(
                Enumerable.Range(0, files.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(parallel)), CancellationToken = cli.Shutdown },
                async (i, token) =>
                {
                    var blobName = $"{name}/{files[i].Name}";
                    var response = await container.GetBlobClient(blobName).UploadAsync(files[i].FullName, new BlobUploadOptions { Metadata = metadata }, token);
                    uploaded[i] = new AzuriteDurability.UploadedBlob(BlobContainers.Incoming, blobName, response.Value.ETag.ToString());
                    versions[i] = new BlobReference(BlobContainers.Incoming, blobName, response.Value.ETag.ToString().Trim('"'), files[i].Length);
                    var runId = dropId is null ? RunIds.ForBlob(name, blobName, response.Value.ETag.ToString()) : RunIds.ForDrop(name, dropId, i / maxFilesPerRun);
                    var line = $"{BlobContainers.Incoming}/{blobName}\t{runId}";
                    lock (uploaded)
                    {
                        Console.WriteLine(line);
                    }
                });

            if (dropId is not null)
            {
                var manifestName = StorageLayout.DropManifest(name, dropId);
                var manifest = BinaryData.FromObjectAsJson(new DropManifest(dropId, name, versions), BlobStore.Json);
                var response = await container.GetBlobClient(manifestName).UploadAsync(manifest, overwrite: true, cli.Shutdown);
                uploaded = [.. uploaded, new AzuriteDurability.UploadedBlob(BlobContainers.Incoming, manifestName, response.Value.ETag.ToString())];
            }

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

    /// <summary>How intake will split the drop, as this folder's definition of the dataset says (serve reads the same one).</summary>
    private static int MaxFilesPerRun(CliContext cli, string dataset)
    {
        var options = cli.Configuration.GetSection(PipelineOptions.Section).Get<PipelineOptions>() ?? new PipelineOptions();
        try
        {
            return DropPlanner.MaxFilesPerRun(new DatasetCatalog(options.DatasetsPath).Find(dataset)?.Batch ?? options.Batch, options);
        }
        catch (DatasetDefinitionException)
        {
            return DropPlanner.MaxFilesPerRun(options.Batch, options);
        }
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
