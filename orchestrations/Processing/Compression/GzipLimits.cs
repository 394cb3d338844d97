namespace Tributary.Orchestrations.Processing.Compression;

/// <summary>
/// Bounds on what one gzip input may expand to. Deflate's own ceiling is about 1032:1 (a file of zeros); real CSV and
/// JSON lines compress 5–20:1, very repetitive logs up to a few hundred to one. So a ratio beyond 500:1 once past
/// <see cref="RatioAppliesAboveBytes"/> is a bomb in practice, while small files (a header of zeros, a tiny
/// repetitive sample) are never judged by ratio. The absolute limit bounds the work disk a single input can take.
/// </summary>
public sealed class GzipLimits
{
    /// <summary>Most bytes one gzip input may decompress to (default 20 GB).</summary>
    public long MaxDecompressedBytes { get; set; } = 20L * 1000 * 1000 * 1000;

    /// <summary>Most decompressed bytes per compressed byte read so far, checked once past <see cref="RatioAppliesAboveBytes"/> (default 500).</summary>
    public int MaxExpansionRatio { get; set; } = 500;

    /// <summary>Decompressed size below which the ratio is not judged (default 64 MiB).</summary>
    public long RatioAppliesAboveBytes { get; set; } = 64L * 1024 * 1024;
}
