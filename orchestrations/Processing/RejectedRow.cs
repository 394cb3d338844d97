namespace Tributary.Orchestrations.Processing;

/// <summary>
/// One rejected row as written to rejected/…/part-NNNNN.jsonl: the file, its position (physical line for text
/// formats; record number = n-th data record or Parquet row of the file), the original line or row, and why.
/// </summary>
public sealed record RejectedRow(string File, long? Line, long Record, string Original, IReadOnlyList<string> Reasons);
