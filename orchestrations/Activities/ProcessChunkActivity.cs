using System.Diagnostics;
using Azure;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Models;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Activities;

/// <summary>
/// Parses and validates one chunk, writes its curated Parquet and its rejected rows to the run's
/// deterministic paths (overwriting on retry), and returns its counts.
/// </summary>
public sealed class ProcessChunkActivity(
    BlobStore store,
    DatasetCatalog catalog,
    DuckDbChunkProcessor processor,
    FileQuarantine quarantine,
    PipelineOptions options,
    ILogger<ProcessChunkActivity> logger) : TaskActivity<ChunkSpec, ChunkResult>
{
    public override async Task<ChunkResult> RunAsync(TaskActivityContext context, ChunkSpec chunk)
    {
        var clock = Stopwatch.StartNew();
        var dataset = catalog.Get(chunk.Dataset);
        var curatedName = StorageLayout.CuratedPart(chunk.Dataset, chunk.RunId, chunk.Index);
        var rejectedName = StorageLayout.RejectedPart(chunk.Dataset, chunk.RunId, chunk.Index);

        using var work = new WorkDirectory(options.WorkDirectory, $"chunk-{chunk.Index}");
        var local = work.File("input." + chunk.Format);
        var outcome = await StageAsync(chunk, local);
        if (outcome is null)
        {
            outcome = processor.Process(
                new LocalChunk(local, chunk.Format, chunk.Input.Name),
                dataset,
                work.File("curated.parquet"),
                work.File("rejected.jsonl"),
                work.Path,
                options.DuckDbMemoryLimit);
        }

        if (outcome.FileProblem is not null)
        {
            logger.LogWarning("Chunk {Index} of run {RunId} ({Input}) quarantined: {Problem}", chunk.Index, chunk.RunId, chunk.Input, outcome.FileProblem);
            await store.DeleteIfExistsAsync(BlobContainers.Curated, curatedName);
            await store.DeleteIfExistsAsync(BlobContainers.Rejected, rejectedName);
            var quarantined = await quarantine.QuarantineAsync(chunk.RunId, chunk.Dataset, chunk.Input, outcome.FileProblem);
            return Result(chunk, outcome, null, quarantined.QuarantinePath, clock);
        }

        await store.UploadFileAsync(BlobContainers.Curated, curatedName, work.File("curated.parquet"));
        if (outcome.RowsRejected > 0)
        {
            await store.UploadFileAsync(BlobContainers.Rejected, rejectedName, work.File("rejected.jsonl"));
        }
        else
        {
            // A retry must not leave a reject file from an earlier attempt behind.
            await store.DeleteIfExistsAsync(BlobContainers.Rejected, rejectedName);
        }

        logger.LogInformation("Chunk {Index} of run {RunId}: {Read} read, {Curated} curated, {Rejected} rejected in {Seconds:F2}s",
            chunk.Index, chunk.RunId, outcome.RowsRead, outcome.RowsCurated, outcome.RowsRejected, clock.Elapsed.TotalSeconds);
        return Result(
            chunk,
            outcome,
            $"{BlobContainers.Curated}/{curatedName}",
            outcome.RowsRejected > 0 ? $"{BlobContainers.Rejected}/{rejectedName}" : null,
            clock);
    }

    /// <summary>Downloads the chunk; returns an outcome only when the file cannot even be staged.</summary>
    private async Task<ChunkOutcome?> StageAsync(ChunkSpec chunk, string local)
    {
        var range = chunk.Offset is { } offset && chunk.Format != DataFormats.Parquet ? new HttpRange(offset, chunk.Length) : default;
        try
        {
            await store.DownloadToFileAsync(chunk.Input, local, DataFormats.IsGzip(chunk.Input.Name), range);
            return null;
        }
        catch (InvalidDataException ex)
        {
            return ChunkOutcome.Unreadable($"corrupt gzip stream: {ex.Message}");
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return ChunkOutcome.Unreadable("the blob version was overwritten or deleted before it was processed; a newer version gets its own run");
        }
    }

    private static ChunkResult Result(ChunkSpec chunk, ChunkOutcome outcome, string? curated, string? rejected, Stopwatch clock) => new(
        chunk.Index, chunk.Input, chunk.Offset, chunk.Length, outcome.RowsRead, outcome.RowsCurated, outcome.RowsRejected,
        curated, rejected, Math.Round(clock.Elapsed.TotalSeconds, 3), outcome.FileProblem);
}
