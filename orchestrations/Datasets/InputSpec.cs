namespace Tributary.Orchestrations.Datasets;

public sealed record InputSpec
{
    /// <summary>The declared format: csv, jsonl or parquet. A ".gz" suffix on a file means gzip.</summary>
    public string Format { get; init; } = DataFormats.Csv;
    public CsvOptions Csv { get; init; } = new();
    public string Encoding { get; init; } = "utf-8";

    /// <summary>Target chunk size for splittable text files.</summary>
    public long ChunkSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Longest record (line, or CSV record with its quoted line breaks; terminator included) accepted; a longer record
    /// is rejected with a reason that names this limit. DuckDB's read buffer is twice this per reader, so it is capped.
    /// </summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    public const int DefaultMaxLineBytes = 8 << 20;

    public const int MaxLineBytesCap = 64 << 20;

    /// <summary>
    /// What happens to an input once its run is committed (or the file is quarantined): <c>archive</c> (the default)
    /// moves it to <c>archive/{dataset}/…</c>, <c>delete</c> removes it, <c>keep</c> leaves it in incoming (today's
    /// behaviour before archiving: every listing of incoming then grows with history). See <see cref="InputLifecycle"/>.
    /// </summary>
    public string AfterCommit { get; init; } = InputLifecycle.Archive;
}

/// <summary>The values of <c>input.afterCommit</c>.</summary>
public static class InputLifecycle
{
    public const string Archive = "archive";
    public const string Delete = "delete";
    public const string Keep = "keep";

    public static readonly IReadOnlyList<string> All = [Archive, Delete, Keep];
}

public sealed record CsvOptions
{
    public string Delimiter { get; init; } = ",";
    public bool Header { get; init; } = true;
    public string Quote { get; init; } = "\"";
    public IReadOnlyList<string> NullStrings { get; init; } = [""];
}
