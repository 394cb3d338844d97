using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// The one way a Parquet blob is staged locally: a sparse file of the blob's size holding its leading magic and its
/// footer, so DuckDB reads it as the whole file. The planner stops there (row groups from the footer alone); a chunk
/// then downloads only its own row groups into the same file.
/// </summary>
public static class ParquetStaging
{
    /// <summary>Stages magic and footer into <paramref name="file"/>; returns why the blob is not Parquet, or null.</summary>
    public static async Task<string?> StageFooterAsync(BlobStore store, BlobReference input, FileStream file, CancellationToken cancellationToken)
    {
        if (input.Size < 12)
        {
            return "not a parquet file: too short";
        }

        file.SetLength(input.Size);
        await store.DownloadRangeIntoAsync(input, input.Size - 8, 8, file, cancellationToken);
        var tail = new byte[8];
        file.Position = input.Size - 8;
        await file.ReadExactlyAsync(tail, cancellationToken);
        var footer = ParquetRowGroups.FooterLength(tail);
        if (footer < 8 || footer > input.Size - 4)
        {
            return "not a parquet file: no parquet footer at the end";
        }

        await store.DownloadRangeIntoAsync(input, input.Size - footer, footer, file, cancellationToken);
        file.Position = 0;
        await file.WriteAsync(ParquetRowGroups.Magic.ToArray(), cancellationToken);
        await file.FlushAsync(cancellationToken);
        return null;
    }

    /// <summary>Downloads the bytes of row groups [first, first + count) into a file staged by <see cref="StageFooterAsync"/>.</summary>
    public static async Task StageRowGroupsAsync(BlobStore store, BlobReference input, string localPath, FileStream file, long first, long count, CancellationToken cancellationToken)
    {
        var groups = ParquetRowGroups.Read(localPath).Skip((int)first).Take((int)count).ToList();
        var start = groups.Min(g => g.Start);
        await store.DownloadRangeIntoAsync(input, start, groups.Max(g => g.End) - start, file, cancellationToken);
    }
}
