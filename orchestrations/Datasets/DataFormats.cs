namespace Tributary.Orchestrations.Datasets;

/// <summary>The file formats Tributary reads, recognised by extension (optionally followed by .gz).</summary>
public static class DataFormats
{
    public const string Csv = "csv";
    public const string JsonLines = "jsonl";
    public const string Parquet = "parquet";

    public static readonly IReadOnlyList<string> All = [Csv, JsonLines, Parquet];

    public static bool IsGzip(string blobName) => blobName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>The format a file name says it has, or null when its extension is not a known one.</summary>
    public static string? FromFileName(string blobName)
    {
        var name = IsGzip(blobName) ? blobName[..^3] : blobName;
        var extension = Path.GetExtension(name).ToLowerInvariant();
        return extension switch
        {
            ".csv" or ".tsv" or ".txt" => Csv,
            ".jsonl" or ".ndjson" or ".json" => JsonLines,
            ".parquet" => Parquet,
            _ => null,
        };
    }
}
