using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Text;

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
        bool fastPath = true)
    {
        Directory.CreateDirectory(outputFolder);
        var format = DataFormats.FromFileName(path) ?? throw new ArgumentException($"unknown format: {path}");
        var target = targetBytes ?? dataset.Input.ChunkSizeBytes;
        var chunks = new List<LocalChunk>();
        var ranges = new Dictionary<int, (long Offset, long Length)>();
        var name = Path.GetFileName(path);
        if (DataFormats.IsGzip(path))
        {
            var plain = Path.Combine(outputFolder, "input-" + Path.GetFileNameWithoutExtension(path));
            await using (var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress))
            await using (var file = File.Create(plain))
            {
                await gzip.CopyToAsync(file);
            }

            chunks.Add(new LocalChunk(plain, format, name));
        }
        else if (format == DataFormats.Parquet)
        {
            var groups = ParquetRowGroups.Read(path);
            foreach (var part in ParquetRowGroups.Chunk(groups, target))
            {
                chunks.Add(new LocalChunk(path, format, name, FirstRecord: part[0].FirstRow + 1, Rows: part.Sum(g => g.Rows)));
            }
        }
        else
        {
            TextLayout layout;
            await using (var stream = File.OpenRead(path))
            {
                layout = await TextChunkPlanner.PlanAsync(stream, TextDialect.Of(dataset, format), format == DataFormats.Csv && dataset.Input.Csv.Header, target);
            }

            foreach (var text in layout.Chunks)
            {
                var local = Path.Combine(outputFolder, $"input-{chunks.Count:D5}.{format}");
                ranges[chunks.Count] = (text.Offset, text.Length);
                var header = text.Offset == 0 ? null : layout.Header;
                chunks.Add(new LocalChunk(local, format, name, text.Offset, text.FirstLine, text.FirstRecord, header, layout.Chunks.Count == 1 ? null : text.Records));
            }
        }

        // Each chunk is staged just before it is processed, as the activity downloads it, and removed after.
        var processor = new DuckDbChunkProcessor(fastPath);
        var runs = new ChunkRun[chunks.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelChunks };
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count), options, async (i, cancellationToken) =>
        {
            if (ranges.TryGetValue(i, out var range))
            {
                await CopyRangeAsync(path, range.Offset, range.Length, chunks[i].LocalPath);
            }

            var curated = Path.Combine(outputFolder, $"part-{i:D5}.parquet");
            var rejected = Path.Combine(outputFolder, $"part-{i:D5}.jsonl");
            var work = Directory.CreateDirectory(Path.Combine(outputFolder, $"work-{i:D5}")).FullName;
            var outcome = processor.Process(chunks[i], dataset, curated, rejected, work, memoryLimit, threadsPerChunk);
            runs[i] = new ChunkRun(i, chunks[i], outcome, curated, outcome.RowsRejected > 0 ? rejected : null);
            Directory.Delete(work, recursive: true);
            if (chunks[i].LocalPath != path)
            {
                File.Delete(chunks[i].LocalPath);
            }
        });

        return runs;
    }

    private static async Task CopyRangeAsync(string path, long offset, long length, string target)
    {
        await using var source = File.OpenRead(path);
        source.Position = offset;
        await using var destination = File.Create(target);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
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
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
