using System.Diagnostics;
using Azure;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Compression;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Parses and validates one chunk, writes its curated Parquet and its rejected rows to the run's
/// deterministic paths (overwriting on retry), and returns its counts.
/// </summary>
public sealed class ProcessChunkActivity(
    BlobStore store,
    FrozenDefinitions definitions,
    DuckDbChunkProcessor processor,
    ChunkSlots slots,
    FileQuarantine quarantine,
    DatasetTables tables,
    TableFileCache tableFiles,
    PipelineOptions options,
    ILogger<ProcessChunkActivity> logger) : TaskActivity<ChunkSpec, ChunkResult>
{
    public override Task<ChunkResult> RunAsync(TaskActivityContext context, ChunkSpec chunk) => TraceAsync(chunk, () => ProcessAsync(chunk));

    /// <summary>The chunk's span (its counts as tags) and metrics around <paramref name="process"/>, which gives its result.</summary>
    internal Task<ChunkResult> TraceAsync(ChunkSpec chunk, Func<Task<ChunkResult>> process) =>
        TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.ProcessChunk, chunk.RunId, chunk.Dataset, async span =>
        {
            var bytes = BytesOf(chunk);
            span?.SetTag(TributaryTelemetry.Attributes.ChunkIndex, chunk.Index);
            span?.SetTag(TributaryTelemetry.Attributes.Input, chunk.Input.Name);
            span?.SetTag(TributaryTelemetry.Attributes.Bytes, bytes);
            var result = await process();
            span?.SetTag(TributaryTelemetry.Attributes.RowsRead, result.RowsRead);
            span?.SetTag(TributaryTelemetry.Attributes.RowsCurated, result.RowsCurated);
            span?.SetTag(TributaryTelemetry.Attributes.RowsRejected, result.RowsRejected);
            if (result.FileProblem is not null)
            {
                span?.SetStatus(ActivityStatusCode.Error, result.FileProblem);
            }

            var dataset = TributaryTelemetry.DatasetTag(chunk.Dataset);
            TributaryTelemetry.RowsRead.Add(result.RowsRead, dataset);
            TributaryTelemetry.RowsCurated.Add(result.RowsCurated, dataset);
            TributaryTelemetry.RowsRejected.Add(result.RowsRejected, dataset);
            TributaryTelemetry.ChunkDuration.Record(result.Seconds, dataset);
            TributaryTelemetry.ChunkBytes.Record(bytes, dataset);
            return result;
        });

    /// <summary>DuckDB runs only in one of the host's chunk slots: the bound on memory (see <see cref="ChunkSlots"/>).</summary>
    private async Task<ChunkOutcome> ProcessInSlotAsync(ChunkSpec chunk, string local, DatasetDefinition dataset, WorkDirectory work, StageClock stages)
    {
        // Its size as staged (a text range, a decompressed gzip, a Parquet file) says how much of a slot it needs.
        var small = new FileInfo(local).Length <= dataset.Input.ChunkSizeBytes / 2;
        using var slot = await slots.TakeAsync(small);
        stages.Lap(ref stages.SlotWait);
        var outcome = processor.Process(LocalChunk.Of(chunk, local), dataset, work.File("curated.parquet"), work.File("rejected.jsonl"), work.Path, options.DuckDbChunkMemoryLimit, ChunkSlots.ThreadsFor(small));
        stages.Lap(ref stages.DuckDb);
        return outcome;
    }

    /// <summary>The chunk's share of its input in bytes: its byte range for text, the whole blob otherwise (Parquet ranges count row groups).</summary>
    private static long BytesOf(ChunkSpec chunk) =>
        chunk.Format != DataFormat.Parquet && chunk.Length is { } length ? length : chunk.Input.Size;

    private async Task<ChunkResult> ProcessAsync(ChunkSpec chunk)
    {
        var stages = new StageClock();
        var dataset = await definitions.GetAsync(chunk.Dataset, chunk.DefinitionHash);
        using var work = new WorkDirectory(options.WorkDirectory, $"chunk-{chunk.Index}");
        stages.BeginLaps();
        var (local, unreadable) = await StageAsync(chunk, work);
        stages.Lap(ref stages.Staging);
        var outcome = unreadable ?? await ProcessInSlotAsync(chunk, local, dataset, work, stages);
        return await PublishAsync(chunk, dataset, work, outcome, stages);
    }

    /// <summary>
    /// Stages the chunk into <paramref name="work"/>: its local path, and an outcome only when the file cannot even be
    /// staged (see <see cref="StageAsync(ChunkSpec, string)"/>).
    /// </summary>
    internal async Task<(string Local, ChunkOutcome? Unreadable)> StageAsync(ChunkSpec chunk, WorkDirectory work)
    {
        var local = work.File("input." + chunk.Format.Name());
        try
        {
            return (local, await StageAsync(chunk, local));
        }
        catch (Exception e) when (WorkDiskFullException.Is(e) && e is not WorkDiskFullException)
        {
            // The failure names the disk, not a temp file: the activity's retry policy, then the run's error, say what to fix.
            throw new WorkDiskFullException(options.WorkDirectory, e);
        }
    }

    /// <summary>
    /// Publishes a processed chunk from <paramref name="work"/> (curated.parquet, rejected.jsonl): its curated part and
    /// rejects to their deterministic blobs (overwriting an earlier attempt's), or its file to quarantine; its result.
    /// </summary>
    /// <param name="stats">The curated part's stats when already read (a pack reads its parts' stats together).</param>
    internal async Task<ChunkResult> PublishAsync(ChunkSpec chunk, DatasetDefinition dataset, WorkDirectory work, ChunkOutcome outcome, StageClock stages, DeltaFileStats? stats = null)
    {
        var curatedName = StorageLayout.CuratedPart(chunk.Dataset, chunk.RunId, chunk.Index);
        var rejectedName = StorageLayout.RejectedPart(chunk.Dataset, chunk.RunId, chunk.Index);
        if (outcome.FileProblem is not null)
        {
            logger.LogWarning("Chunk {Index} of run {RunId} ({Input}) quarantined: {Problem}", chunk.Index, chunk.RunId, chunk.Input, outcome.FileProblem);
            await store.DeleteIfExistsAsync(BlobContainers.Curated, curatedName);
            await store.DeleteIfExistsAsync(BlobContainers.Rejected, rejectedName);
            var quarantined = await quarantine.QuarantineAsync(chunk.RunId, chunk.Dataset, chunk.Input, outcome.FileProblem);
            return Result(chunk, outcome, null, quarantined.QuarantinePath, stages.Elapsed);
        }

        // The Delta stats are read from the local file: the commit then needs no download of any part.
        var curatedFile = work.File("curated.parquet");
        var bytes = new FileInfo(curatedFile).Length;
        if (stats is null)
        {
            using var loan = DuckDbDatabases.Shared.Borrow(threads: 1, inputBytes: bytes);
            stats = await DeltaFileStats.ComputeAsync(curatedFile, loan.Connection);
        }

        stages.Lap(ref stages.Stats);
        await store.UploadFileAsync(BlobContainers.Curated, curatedName, curatedFile);
        if (outcome.RowsRejected > 0)
        {
            await store.UploadFileAsync(BlobContainers.Rejected, rejectedName, work.File("rejected.jsonl"));
        }
        else
        {
            // A retry must not leave a reject file from an earlier attempt behind.
            await store.DeleteIfExistsAsync(BlobContainers.Rejected, rejectedName);
        }

        if (options.AggregationEngineFor(dataset) == AggregationEngines.DuckDb)
        {
            // The local refresh reads this part next: it finds it on disk instead of downloading what was just uploaded.
            tableFiles.Keep(tables.Curated(chunk.Dataset), StorageLayout.CuratedPartInTable(chunk.RunId, chunk.Index), bytes, curatedFile);
        }

        stages.Lap(ref stages.Upload);
        logger.LogInformation("Chunk {Index} of run {RunId}: {Read} read, {Curated} curated, {Rejected} rejected in {Seconds:F2}s (staging {Staging:F2}s, slot wait {SlotWait:F2}s, DuckDB {DuckDb:F2}s, stats {Stats:F2}s, upload {Upload:F2}s)",
            chunk.Index, chunk.RunId, outcome.RowsRead, outcome.RowsCurated, outcome.RowsRejected, stages.Elapsed.TotalSeconds,
            stages.Staging.TotalSeconds, stages.SlotWait.TotalSeconds, stages.DuckDb.TotalSeconds, stages.Stats.TotalSeconds, stages.Upload.TotalSeconds);
        return Result(
            chunk,
            outcome,
            $"{BlobContainers.Curated}/{curatedName}",
            outcome.RowsRejected > 0 ? $"{BlobContainers.Rejected}/{rejectedName}" : null,
            stages.Elapsed) with { CuratedBytes = bytes, CuratedStats = stats.ToJson() };
    }

    /// <summary>
    /// Downloads the chunk to local disk, streaming: a text chunk's byte range, a Parquet chunk's row groups (into a
    /// sparse file of the blob's size with the footer, so DuckDB reads it as the whole file), or a whole gzip file
    /// decompressed on the way. Returns an outcome only when the file cannot even be staged.
    /// </summary>
    private async Task<ChunkOutcome?> StageAsync(ChunkSpec chunk, string local)
    {
        try
        {
            if (chunk.Format == DataFormat.Parquet && chunk.Offset is not null && !DataFormats.IsGzip(chunk.Input.Name))
            {
                return await StageRowGroupsAsync(chunk, local);
            }

            var range = chunk.Offset is { } offset ? new HttpRange(offset, chunk.Length) : default;
            if (chunk.Staged is { } staged)
            {
                // A gzip text input, decompressed (and verified) at planning: its chunk is a byte range of that copy.
                await store.DownloadToFileAsync(staged, local, copy: null, range);
                return null;
            }

            Func<Stream, Stream, CancellationToken, Task>? gunzip = DataFormats.IsGzip(chunk.Input.Name)
                ? (compressed, file, cancellationToken) => VerifiedGzip.CopyAsync(compressed, file, options.Gzip, cancellationToken)
                : null;
            await store.DownloadToFileAsync(chunk.Input, local, gunzip, range);
            return null;
        }
        catch (UnreadableInputException ex)
        {
            return ChunkOutcome.Unreadable(ex.Message);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return ChunkOutcome.Unreadable("the blob version was overwritten or deleted before it was processed; a newer version gets its own run");
        }
    }

    private async Task<ChunkOutcome?> StageRowGroupsAsync(ChunkSpec chunk, string local)
    {
        // The footer first (to learn where the chunk's row groups lie), then only those bytes.
        await using var file = new FileStream(local, FileMode.Create, FileAccess.ReadWrite);
        if (await ParquetStaging.StageFooterAsync(store, chunk.Input, file, CancellationToken.None) is { } problem)
        {
            return ChunkOutcome.Unreadable(problem);
        }

        await ParquetStaging.StageRowGroupsAsync(store, chunk.Input, local, file, chunk.Offset!.Value, chunk.Length!.Value, CancellationToken.None);
        return null;
    }

    /// <param name="elapsed">The chunk's time so far (<see cref="StageClock.Elapsed"/>): its Seconds, and back from now its StartedAt.</param>
    private static ChunkResult Result(ChunkSpec chunk, ChunkOutcome outcome, string? curated, string? rejected, TimeSpan elapsed) => new(
        chunk.Index, chunk.Input, chunk.Offset, chunk.Length, outcome.RowsRead, outcome.RowsCurated, outcome.RowsRejected,
        curated, rejected, Math.Round(elapsed.TotalSeconds, 3), outcome.FileProblem, StartedAt: DateTime.UtcNow - elapsed);
}
