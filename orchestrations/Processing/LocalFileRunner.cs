using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Text;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// The processing path over a local file, chunk by chunk, exactly as the activities run it on blobs: plan,
/// stage each chunk's byte range (or row groups) to its own file, process. Used by tests and the benchmark.
/// </summary>
public static class LocalFileRunner
{
    public sealed record ChunkRun(int Index, LocalChunk Chunk, ChunkOutcome Outcome, string CuratedPath, string? RejectedPath);

    /// <param name="parallelChunks">Chunks processed at once, as the activities fan out on one worker; each gets <paramref name="threadsPerChunk"/> DuckDB threads.</param>
    public static async Task<IReadOnlyList<ChunkRun>> RunAsync(
        string path,
        DatasetDefinition dataset,
        string outputFolder,
        long? targetBytes = null,
        string memoryLimit = DuckDbChunkProcessor.DefaultMemoryLimit,
        int parallelChunks = 1,
        int threadsPerChunk = 2,
        bool fastPath = true,
        Compression.GzipLimits? gzipLimits = null)
    {
        Directory.CreateDirectory(outputFolder);
        var format = DataFormats.FromFileName(path) ?? throw new ArgumentException($"unknown format: {path}");
        var target = targetBytes ?? dataset.Input.ChunkSizeBytes;
        var name = Path.GetFileName(path);

        // The same chunk mapping as the planner's, over a local file instead of a blob.
        var input = new BlobReference("local", name, "", new FileInfo(path).Length);
        IReadOnlyList<ChunkSpec> specs;
        var source = path;
        if (DataFormats.IsGzip(path))
        {
            source = Path.Combine(outputFolder, "input-" + Path.GetFileNameWithoutExtension(path));
            try
            {
                await using var compressed = File.OpenRead(path);
                await using var file = File.Create(source);
                await Compression.VerifiedGzip.CopyAsync(compressed, file, gzipLimits ?? new Compression.GzipLimits());
            }
            catch (Compression.UnreadableInputException ex)
            {
                // As the activity does: the whole file is quarantined with the reason.
                File.Delete(source);
                return [new ChunkRun(0, new LocalChunk(source, format, name), ChunkOutcome.Unreadable(ex.Message), Path.Combine(outputFolder, "part-00000.parquet"), null)];
            }

            if (format == DataFormat.Parquet)
            {
                specs = [new ChunkSpec("local", dataset.Name, 0, input, format)];
            }
            else
            {
                // As the planner does: the decompressed copy is planned and processed like an uncompressed file.
                specs = await PlanTextAsync(source, dataset, format, target, input);
                path = source;
            }
        }
        else if (format == DataFormat.Parquet)
        {
            specs = ChunkPlanner.ParquetChunks("local", dataset.Name, 0, input, ParquetRowGroups.Chunk(ParquetRowGroups.Read(path), target));
        }
        else
        {
            specs = await PlanTextAsync(path, dataset, format, target, input);
        }

        // Text chunks get a local copy of their range (of the decompressed copy for gzip); Parquet chunks read the file itself.
        var isRange = format != DataFormat.Parquet;
        var chunks = specs.Select((spec, i) => LocalChunk.Of(spec, isRange ? Path.Combine(outputFolder, $"input-{i:D5}.{format.Name()}") : source)).ToList();

        // Each chunk is staged just before it is processed, as the activity downloads it, and removed after.
        var processor = new DuckDbChunkProcessor(fastPath);
        var runs = new ChunkRun[chunks.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelChunks };
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count), options, async (i, cancellationToken) =>
        {
            if (isRange)
            {
                await CopyRangeAsync(path, specs[i].Offset ?? 0, specs[i].Length ?? new FileInfo(path).Length, chunks[i].LocalPath);
            }

            var curated = Path.Combine(outputFolder, $"part-{i:D5}.parquet");
            var rejected = Path.Combine(outputFolder, $"part-{i:D5}.jsonl");
            var work = Directory.CreateDirectory(Path.Combine(outputFolder, $"work-{i:D5}")).FullName;
            var outcome = processor.Process(chunks[i], dataset, curated, rejected, work, memoryLimit, threadsPerChunk);
            runs[i] = new ChunkRun(i, chunks[i], outcome, curated, outcome.RowsRejected > 0 ? rejected : null);
            Directory.Delete(work, recursive: true);
            if (isRange)
            {
                File.Delete(chunks[i].LocalPath);
            }
        });

        return runs;
    }

    private static async Task<IReadOnlyList<ChunkSpec>> PlanTextAsync(string path, DatasetDefinition dataset, DataFormat format, long target, BlobReference input)
    {
        TextLayout layout;
        await using (var stream = File.OpenRead(path))
        {
            layout = await TextChunkPlanner.PlanAsync(stream, TextDialect.Of(dataset, format), format == DataFormat.Csv && dataset.Input.Csv.Header, target);
        }

        return ChunkPlanner.TextChunks("local", dataset.Name, 0, input, format, layout);
    }

    private static async Task CopyRangeAsync(string path, long offset, long length, string target)
    {
        await using var source = File.OpenRead(path);
        source.Position = offset;
        await using var destination = File.Create(target);
        var buffer = Storage.LargeBuffers.Pool.Rent(1 << 20);
        try
        {
            while (length > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(1 << 20, length)));
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }

                await destination.WriteAsync(buffer.AsMemory(0, read));
                length -= read;
            }
        }
        finally
        {
            Storage.LargeBuffers.Pool.Return(buffer);
        }
    }
}
