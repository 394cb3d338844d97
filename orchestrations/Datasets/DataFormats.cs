using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Datasets;

/// <summary>The file formats Tributary reads; serialised by the words definitions and file extensions use.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataFormat>))]
public enum DataFormat
{
    [JsonStringEnumMemberName("csv")]
    Csv,

    [JsonStringEnumMemberName("jsonl")]
    JsonLines,

    [JsonStringEnumMemberName("parquet")]
    Parquet,
}

/// <summary>The formats' names, and the format a file name says it has (by extension, optionally followed by .gz).</summary>
public static class DataFormats
{
    public const string Csv = "csv";
    public const string JsonLines = "jsonl";
    public const string Parquet = "parquet";

    /// <summary>The names a definition's <c>input.format</c> may take.</summary>
    public static readonly IReadOnlyList<string> All = [Csv, JsonLines, Parquet];

    /// <summary>The format's name: the word definitions use, and the extension of staged local copies.</summary>
    public static string Name(this DataFormat format) => format switch
    {
        DataFormat.Csv => Csv,
        DataFormat.JsonLines => JsonLines,
        _ => Parquet,
    };

    public static DataFormat? Parse(string? name) => name switch
    {
        Csv => DataFormat.Csv,
        JsonLines => DataFormat.JsonLines,
        Parquet => DataFormat.Parquet,
        _ => null,
    };

    public static bool IsGzip(string blobName) => blobName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>The format a file name says it has, or null when its extension is not a known one.</summary>
    public static DataFormat? FromFileName(string blobName)
    {
        var name = IsGzip(blobName) ? blobName[..^3] : blobName;
        var extension = Path.GetExtension(name).ToLowerInvariant();
        return extension switch
        {
            ".csv" or ".tsv" or ".txt" => DataFormat.Csv,
            ".jsonl" or ".ndjson" or ".json" => DataFormat.JsonLines,
            ".parquet" => DataFormat.Parquet,
            _ => null,
        };
    }
}
