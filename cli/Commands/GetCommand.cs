using System.CommandLine;
using Azure.Storage.Blobs;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary get RUN_ID|CONTAINER/PATH [--out DIR]`: downloads a run's outputs (every output its manifest lists, and
/// the manifest), or any blob or prefix, into a folder, keeping the blob paths below it. A name that would land
/// outside the folder ('..', absolute, empty segments) is refused before anything is written.
/// </summary>
public static class GetCommand
{
    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "A run id, or CONTAINER/PATH of a blob or a prefix." };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder to write into (default ./RUN_ID, or the prefix's last segment)." };
        var json = new Option<bool>("--json") { Description = "One JSON document on stdout: the files written." };
        var command = new Command("get", "Download a run's outputs, or a blob or a prefix, to a local folder.") { what, output, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            var target = parse.GetValue(what)!.Trim();
            try
            {
                await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
                var store = new BlobStore(new BlobServiceClient(storage.ConnectionString));
                var (folder, files) = await PlanAsync(store, target, parse.GetValue(output)?.FullName, cli.Shutdown);
                var written = new List<string>();
                foreach (var (source, relative) in files)
                {
                    var local = LocalPath(folder, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                    await store.BlobAt(source).DownloadToAsync(local, cli.Shutdown);
                    written.Add(local);
                    if (!parse.GetValue(json))
                    {
                        Console.WriteLine(local);
                    }
                }

                if (parse.GetValue(json))
                {
                    CliOutput.WriteJson(new { source = target, folder, files = written });
                }
                else
                {
                    Console.Error.WriteLine($"tributary: {written.Count} file(s) in {folder}");
                }

                return 0;
            }
            catch (GetRefusedException ex)
            {
                Console.Error.WriteLine($"tributary: {ex.Message}");
                return ex.ExitCode;
            }
        });
        return command;
    }

    /// <summary>The folder and the (blob path, relative local path) pairs to download; refuses unsafe names.</summary>
    public static async Task<(string Folder, List<(string Source, string Relative)> Files)> PlanAsync(BlobStore store, string target, string? outFolder, CancellationToken cancellationToken)
    {
        var files = new List<(string Source, string Relative)>();
        string folder;
        if (!target.Contains('/'))
        {
            if (ApiValidation.RunIdProblem(target) is { } invalid)
            {
                throw new GetRefusedException(invalid, 2);
            }

            var catalog = new RunCatalog(store);
            var claim = await catalog.FindClaimAsync(target, cancellationToken) ?? throw new GetRefusedException($"no run '{target}'", 3);
            var manifest = await catalog.ReadManifestAsync(claim.Request.Dataset, target, cancellationToken)
                ?? throw new GetRefusedException($"run '{target}' has no manifest yet: it is still running", 3);
            folder = outFolder ?? Path.Combine(Directory.GetCurrentDirectory(), target);
            foreach (var path in manifest.Outputs.Append($"{BlobContainers.Results}/{StorageLayout.Manifest(manifest.Dataset, manifest.RunId)}").Distinct())
            {
                if (!path.EndsWith('/'))
                {
                    files.Add((path, path));
                    continue;
                }

                // A folder output (the dataset's aggregate table): every blob under it, as it stands now.
                var slash = path.IndexOf('/', StringComparison.Ordinal);
                var container = store.Service.GetBlobContainerClient(path[..slash]);
                await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, path[(slash + 1)..], cancellationToken))
                {
                    files.Add(($"{container.Name}/{blob.Name}", $"{container.Name}/{blob.Name}"));
                }
            }
        }
        else
        {
            var slash = target.IndexOf('/');
            var path = target[(slash + 1)..];
            // The default folder is the path's last segment: a target that climbs or is absolute is refused before it names one.
            if (UnsafeProblem(target[..slash]) is not null || (path.TrimEnd('/') is { Length: > 0 } named && UnsafeProblem(named) is not null) || target.Contains('\\'))
            {
                throw new GetRefusedException($"refusing '{target}': CONTAINER/PATH must not be absolute or hold '..', '.', empty segments or '\\'", 2);
            }

            var container = store.Service.GetBlobContainerClient(target[..slash]);
            if (!await container.ExistsAsync(cancellationToken))
            {
                throw new GetRefusedException($"no container '{container.Name}'", 3);
            }

            if (path.Length > 0 && !path.EndsWith('/') && await container.GetBlobClient(path).ExistsAsync(cancellationToken))
            {
                // One blob: into --out, or the current folder.
                folder = outFolder ?? Directory.GetCurrentDirectory();
                files.Add(($"{container.Name}/{path}", path[(path.LastIndexOf('/') + 1)..]));
            }
            else
            {
                var prefix = path.Length == 0 || path.EndsWith('/') ? path : path + "/";
                var last = prefix.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed[(trimmed.LastIndexOf('/') + 1)..] : container.Name;
                folder = outFolder ?? Path.Combine(Directory.GetCurrentDirectory(), last);
                await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
                {
                    files.Add(($"{container.Name}/{blob.Name}", blob.Name[prefix.Length..]));
                }

                if (files.Count == 0)
                {
                    throw new GetRefusedException($"nothing at '{target}'", 3);
                }
            }
        }

        folder = Path.GetFullPath(folder);
        var unsafeNames = files.Where(f => UnsafeProblem(f.Relative) is not null).Select(f => f.Source).ToList();
        if (unsafeNames.Count > 0)
        {
            throw new GetRefusedException($"refusing names that would be written outside {folder}: {string.Join(", ", unsafeNames.Take(5))}", 4);
        }

        return (folder, files);
    }

    /// <summary>Why a blob-relative name cannot be a file under the folder, or null: no '..' or '.' or empty segments, no absolute paths, no '\\' or control characters.</summary>
    public static string? UnsafeProblem(string relative)
    {
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Contains('\\') || relative.Any(char.IsControl))
        {
            return "not a relative path";
        }

        return relative.Split('/').Any(s => s is "" or "." or "..") ? "'.', '..' or empty segment" : null;
    }

    private static string LocalPath(string folder, string relative)
    {
        var local = Path.GetFullPath(Path.Combine(folder, relative));
        return local.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? local
            : throw new GetRefusedException($"refusing '{relative}': it would be written outside {folder}", 4);
    }

    public sealed class GetRefusedException(string message, int exitCode) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }
}
