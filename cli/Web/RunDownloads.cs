using Azure;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Web;

/// <summary>
/// GET /ui/runs/{runId}/download?path=container/name: streams one blob the run's manifest lists as its output (or as a
/// quarantined copy of its input). The path must equal a listed one exactly, so nothing else, and no "..", is served.
/// </summary>
public static class RunDownloads
{
    public static IReadOnlyList<string> Downloadable(RunManifest manifest) =>
    [
        .. manifest.Outputs,
        .. manifest.QuarantinedFiles.Where(q => q.QuarantinePath is not null).Select(q => q.QuarantinePath!),
    ];

    public static async Task<IResult> DownloadAsync(string runId, string? path, Tributary.Orchestrations.Api.RunCatalog catalog, BlobStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path))
        {
            return Results.Problem("path: required (one of the run's outputs, as its page lists them)", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        if (await catalog.FindManifestAsync(runId, cancellationToken) is not { } manifest)
        {
            return Results.Problem($"run '{runId}' has no manifest (unknown, or not finished)", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        if (!Downloadable(manifest).Contains(path, StringComparer.Ordinal) || !path.Contains('/', StringComparison.Ordinal))
        {
            return Results.Problem($"'{path}' is not an output of run '{runId}'", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        try
        {
            var stream = await BlobStore.OpenReadAsync(store.BlobAt(path), cancellationToken: cancellationToken);
            return Results.Stream(stream, "application/octet-stream", fileDownloadName: path[(path.LastIndexOf('/') + 1)..]);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return Results.Problem($"'{path}' is listed by run '{runId}' but no longer in storage (a folder, or vacuumed)", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
    }
}
