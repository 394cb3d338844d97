using System.CommandLine;
using Azure.Storage.Blobs;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>`tributary drop PATH... --dataset NAME`: uploads local files into incoming/{dataset}/.</summary>
public static class DropCommand
{
    public static Command Create()
    {
        var paths = new Argument<FileInfo[]>("paths") { Description = "Files to upload.", Arity = ArgumentArity.OneOrMore };
        var dataset = new Option<string>("--dataset", "-d") { Description = "Dataset folder to drop into.", Required = true };
        var command = new Command("drop", "Upload local files into incoming/{dataset}/.") { paths, dataset };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            var files = parse.GetValue(paths)!;
            var missing = files.Where(f => !f.Exists).ToList();
            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"tributary: no such file: {string.Join(", ", missing.Select(f => f.FullName))}");
                return 2;
            }

            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var container = new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
            await container.CreateIfNotExistsAsync(cancellationToken: cli.Shutdown);
            var uploaded = new List<AzuriteDurability.UploadedBlob>();
            foreach (var file in files)
            {
                var name = $"{parse.GetValue(dataset)}/{file.Name}";
                var response = await container.GetBlobClient(name).UploadAsync(file.FullName, overwrite: true, cli.Shutdown);
                uploaded.Add(new AzuriteDurability.UploadedBlob(BlobContainers.Incoming, name, response.Value.ETag.ToString()));
                Console.WriteLine($"{BlobContainers.Incoming}/{name}\t{RunIds.ForBlob(parse.GetValue(dataset)!, name, response.Value.ETag.ToString())}");
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
}
