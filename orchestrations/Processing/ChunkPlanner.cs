using Azure;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Text;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Splits an input file into chunks so work runs in parallel and memory follows chunk size, not file size.
/// Text files: byte ranges that end at record ends, found by one streaming pass of ranged reads (quotes may
/// hide newlines). Parquet: runs of row groups, read from the footer alone. gzip text: decompressed once into a staged
/// blob, then byte ranges of it like any text file; gzip Parquet: one chunk, read as a stream.
/// </summary>
public class ChunkPlanner(BlobStore store, PipelineOptions options)
{
    /// <summary>A reason the whole file cannot be processed, known before reading it; null when it can.</summary>
    public virtual string? ProblemOf(BlobReference input, DatasetDefinition dataset)
    {
        if (BlobNames.ProblemOf(input.Name) is { } name)
        {
            return name;
        }

        if (input.Size == 0)
        {
            return "the file is empty";
        }

        return DataFormats.FromFileName(input.Name) is null
            ? $"'{Path.GetFileName(input.Name)}' has no known format extension (.csv, .jsonl, .parquet, optionally .gz)"
            : null;
    }

    public virtual async Task<FilePlan> PlanAsync(string runId, DatasetDefinition dataset, BlobReference input, int firstIndex, CancellationToken cancellationToken = default)
    {
        var format = DataFormats.FromFileName(input.Name)!.Value;
        if (DataFormats.IsGzip(input.Name) && format == DataFormat.Parquet)
        {
            return new FilePlan([new ChunkSpec(runId, dataset.Name, firstIndex, input, format)], null);
        }

        try
        {
            return DataFormats.IsGzip(input.Name) ? await PlanGzipTextAsync(runId, dataset, input, format, firstIndex, cancellationToken)
                : format == DataFormat.Parquet ? await PlanParquetAsync(runId, dataset, input, firstIndex, cancellationToken)
                : await PlanTextAsync(runId, dataset, input, format, firstIndex, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return FilePlan.Quarantine("the blob version was overwritten or deleted before it was processed; a newer version gets its own run");
        }
    }

    private async Task<FilePlan> PlanTextAsync(string runId, DatasetDefinition dataset, BlobReference input, DataFormat format, int firstIndex, CancellationToken cancellationToken)
    {
        if (input.Size <= dataset.Input.ChunkSizeBytes)
        {
            // A file no larger than one chunk is that chunk, whatever its records: it is not read here. Its chunk's pre-pass
            // finds what the scan would (a header longer than the limit, no data records) and the file is quarantined with
            // that reason, so planning a drop of small files downloads nothing (24 files of 12 MB: 4 s of a 17 s run).
            return new FilePlan([new ChunkSpec(runId, dataset.Name, firstIndex, input, format)], null);
        }

        TextLayout layout;
        await using (var stream = await store.OpenReadAsync(input, cancellationToken))
        {
            var hasHeader = format == DataFormat.Csv && dataset.Input.Csv.Header;
            layout = await TextChunkPlanner.PlanAsync(stream, TextDialect.Of(dataset, format), hasHeader, dataset.Input.ChunkSizeBytes, cancellationToken);
        }

        if (layout.ProblemOf(dataset.Input.MaxLineBytes) is { } problem)
        {
            return FilePlan.Quarantine(problem);
        }

        return new FilePlan(TextChunks(runId, dataset.Name, firstIndex, input, format, layout), null);
    }

    /// <summary>
    /// A gzip text file is decompressed once, streaming, to local disk (trailer and bomb limits checked on the way: a cut
    /// file is quarantined before any of its rows is curated), planned like any text file, and uploaded as one staged
    /// uncompressed blob whose record-safe byte ranges are the chunks, processed in parallel like any other file's.
    /// Memory stays that of one read buffer; disk and the staged blob take the decompressed size (bounded by
    /// <see cref="Compression.GzipLimits.MaxDecompressedBytes"/>).
    /// </summary>
    private async Task<FilePlan> PlanGzipTextAsync(string runId, DatasetDefinition dataset, BlobReference input, DataFormat format, int firstIndex, CancellationToken cancellationToken)
    {
        using var work = new WorkDirectory(options.WorkDirectory, "plan-gzip");
        var local = work.File("decompressed." + format);
        try
        {
            await using var compressed = await store.OpenReadAsync(input, cancellationToken);
            await using var file = new FileStream(local, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            await Compression.VerifiedGzip.CopyAsync(compressed, file, options.Gzip, cancellationToken);
        }
        catch (Compression.UnreadableInputException ex)
        {
            return FilePlan.Quarantine(ex.Message);
        }

        TextLayout layout;
        await using (var stream = File.OpenRead(local))
        {
            layout = await TextChunkPlanner.PlanAsync(stream, TextDialect.Of(dataset, format), format == DataFormat.Csv && dataset.Input.Csv.Header, dataset.Input.ChunkSizeBytes, cancellationToken);
        }

        if (layout.ProblemOf(dataset.Input.MaxLineBytes) is { } problem)
        {
            return FilePlan.Quarantine(new FileInfo(local).Length == 0 ? "the file is empty (gzip of nothing)" : problem);
        }

        // The staged copy is a deterministic function of the input version, so any copy of it will do (a redelivered
        // planning may rewrite it): chunks read it without an ETag condition ("*").
        var name = StorageLayout.StagedDecompressed(dataset.Name, runId, firstIndex, format);
        await store.UploadFileAsync(BlobContainers.State, name, local, cancellationToken);
        var staged = new BlobReference(BlobContainers.State, name, "*", new FileInfo(local).Length);
        var chunks = TextChunks(runId, dataset.Name, firstIndex, input, format, layout).Select(c => c with { Staged = staged }).ToList();
        return new FilePlan(chunks, null);
    }

    /// <summary>The chunks of a planned text file: the whole file when it is one chunk, else its record-safe ranges.</summary>
    public static IReadOnlyList<ChunkSpec> TextChunks(string runId, string dataset, int firstIndex, BlobReference input, DataFormat format, TextLayout layout) =>
        layout.Chunks.Count == 1
            ? [new ChunkSpec(runId, dataset, firstIndex, input, format)]
            : layout.Chunks.Select((c, i) => new ChunkSpec(
                runId, dataset, firstIndex + i, input, format, c.Offset, c.Length, c.FirstLine, c.FirstRecord,
                c.Offset == 0 ? null : layout.Header, c.Records)).ToList();

    /// <summary>The chunks of a Parquet file: the whole file when it is one chunk, else runs of row groups.</summary>
    public static IReadOnlyList<ChunkSpec> ParquetChunks(string runId, string dataset, int firstIndex, BlobReference input, IReadOnlyList<IReadOnlyList<ParquetRowGroup>> parts) =>
        parts.Count == 1
            ? [new ChunkSpec(runId, dataset, firstIndex, input, DataFormat.Parquet)]
            : parts.Select((p, i) => new ChunkSpec(
                runId, dataset, firstIndex + i, input, DataFormat.Parquet, p[0].Id, p.Count,
                FirstRecord: p[0].FirstRow + 1, Records: p.Sum(g => g.Rows))).ToList();

    private async Task<FilePlan> PlanParquetAsync(string runId, DatasetDefinition dataset, BlobReference input, int firstIndex, CancellationToken cancellationToken)
    {
        using var work = new WorkDirectory(options.WorkDirectory, "plan-parquet");
        var sparse = work.File("footer.parquet");
        var problem = await StageFooterAsync(input, sparse, cancellationToken);
        if (problem is not null)
        {
            return FilePlan.Quarantine(problem);
        }

        IReadOnlyList<ParquetRowGroup> groups;
        try
        {
            groups = ParquetRowGroups.Read(sparse);
        }
        catch (System.Data.Common.DbException ex)
        {
            return FilePlan.Quarantine($"not a readable parquet file: {ex.Message.Split('\n')[0]}");
        }

        if (groups.Sum(g => g.Rows) == 0)
        {
            return FilePlan.Quarantine("the file has no rows");
        }

        var parts = ParquetRowGroups.Chunk(groups, dataset.Input.ChunkSizeBytes);
        return new FilePlan(ParquetChunks(runId, dataset.Name, firstIndex, input, parts), null);
    }

    private async Task<string?> StageFooterAsync(BlobReference input, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        return await ParquetStaging.StageFooterAsync(store, input, file, cancellationToken);
    }
}
