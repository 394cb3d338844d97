using System.Globalization;
using System.Text.Json;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary runs show RUN` for people: the text form of the run page. Status, inputs, the rows funnel
/// (read → curated / rejected), the commonest reject reasons, chunks and the slowest one, the table version,
/// the aggregation (engine and its run page), timings and outputs. `--json` prints the manifest instead.
/// </summary>
public static class RunSummaryText
{
    /// <summary>Reject reasons are counted from the start of at most this many reject parts, this many bytes each: cheap, and labelled a sample when partial.</summary>
    public const int ReasonPartsRead = 4;
    public const int ReasonBytesPerPart = 256 * 1024;

    public static IReadOnlyList<string> Lines(RunManifest manifest, RejectReasons? reasons)
    {
        var totals = manifest.Totals;
        var lines = new List<string>
        {
            $"Run {manifest.RunId}  {manifest.Status}",
            $"  dataset     {manifest.Dataset}" + (manifest.RerunOf is null ? "" : $"  (rerun of {manifest.RerunOf})"),
            $"  inputs      {manifest.Inputs.Count} ({Bytes(manifest.Inputs.Sum(i => i.Size))})" + (manifest.QuarantinedFiles.Count > 0 ? $", {manifest.QuarantinedFiles.Count} quarantined" : ""),
        };
        lines.AddRange(manifest.Inputs.Take(5).Select(i => $"                {i.Container}/{i.Name}"));
        if (manifest.Inputs.Count > 5)
        {
            lines.Add($"                … and {manifest.Inputs.Count - 5} more");
        }

        lines.Add($"  rows        {N(totals.RowsRead)} read -> {N(totals.RowsCurated)} curated / {N(totals.RowsRejected)} rejected ({(totals.RejectedShare * 100).ToString("0.0", CultureInfo.InvariantCulture)}%)");
        if (reasons is { Top.Count: > 0 })
        {
            lines.Add($"  rejects     top reasons{(reasons.Complete ? "" : $" (in the first {N(reasons.RowsSeen)} rejected rows)")}:");
            lines.AddRange(reasons.Top.Select(r => $"                {N(r.Count),8}  {r.Reason}"));
        }

        foreach (var file in manifest.QuarantinedFiles.Take(5))
        {
            lines.Add($"  quarantined {file.Input.Name}: {file.Reason}");
        }

        var slowest = manifest.Chunks.OrderByDescending(c => c.Seconds).FirstOrDefault();
        lines.Add($"  chunks      {manifest.Chunks.Count}" + (slowest is null ? "" : $", slowest #{slowest.Index} {Seconds(slowest.Seconds)} ({N(slowest.RowsRead)} rows of {slowest.Input.Name})"));
        lines.Add($"  table       {(manifest.Table is { } table ? $"version {table.Version} (+{table.FilesAdded} / -{table.FilesRemoved} files)" : "no commit")}");
        if (manifest.Aggregation is { } aggregation)
        {
            lines.Add($"  aggregation {aggregation.Engine}: {aggregation.State}" + (aggregation.Message is null ? "" : $", {aggregation.Message}"));
            if (aggregation.EngineRunUrl is not null)
            {
                lines.Add($"                run page {aggregation.EngineRunUrl}");
            }
        }

        var timings = manifest.Timings;
        lines.Add($"  timings     started {timings.StartedAt.ToString("u", CultureInfo.InvariantCulture)}, total {Seconds(timings.TotalSeconds)}"
            + Step("processed", timings.StartedAt, timings.ProcessedAt) + Step("aggregated", timings.ProcessedAt, timings.AggregatedAt));
        if (manifest.Error is not null)
        {
            lines.Add($"  error       {manifest.Error}");
        }

        lines.Add($"  outputs     {manifest.Outputs.Count}");
        lines.AddRange(manifest.Outputs.Take(10).Select(o => $"                {o}"));
        if (manifest.Outputs.Count > 10)
        {
            lines.Add($"                … and {manifest.Outputs.Count - 10} more (--json lists all)");
        }

        return lines;
    }

    /// <summary>Counts reasons over the start of the first reject parts (each line is a <see cref="RejectedRow"/>).</summary>
    public static async Task<RejectReasons?> ReadReasonsAsync(BlobStore store, RunManifest manifest, CancellationToken cancellationToken)
    {
        var parts = manifest.Chunks.Where(c => c.RejectedPath is not null && !c.IsQuarantined).OrderBy(c => c.Index).ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long seen = 0;
        var complete = parts.Count <= ReasonPartsRead;
        foreach (var part in parts.Take(ReasonPartsRead))
        {
            var blob = store.BlobAt(part.RejectedPath!);
            var download = await blob.DownloadContentAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions { Range = new Azure.HttpRange(0, ReasonBytesPerPart) }, cancellationToken);
            var text = download.Value.Content.ToString();
            var whole = download.Value.Details.ContentRange is not { } range || !IsPartial(range);
            complete &= whole;
            var lines = text.Split('\n');
            // A cut part ends mid-line: its last piece is not a record.
            foreach (var line in whole ? lines : lines[..^1])
            {
                if (line.Length == 0 || JsonSerializer.Deserialize<RejectedRow>(line, BlobStore.Json) is not { } row)
                {
                    continue;
                }

                seen++;
                foreach (var reason in row.Reasons.Distinct(StringComparer.Ordinal))
                {
                    counts[reason] = counts.GetValueOrDefault(reason) + 1;
                }
            }
        }

        return new RejectReasons(counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(5).Select(c => (c.Key, c.Value)).ToList(), seen, complete);
    }

    /// <summary>"bytes 0-262143/900000": partial when the range ends before the total.</summary>
    private static bool IsPartial(string contentRange) =>
        contentRange.Split('/') is [var range, var total]
        && long.TryParse(total, CultureInfo.InvariantCulture, out var size)
        && long.TryParse(range[(range.IndexOf('-', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture, out var end)
        && end + 1 < size;

    private static string Step(string name, DateTime? from, DateTime? to) =>
        from is { } start && to is { } end ? $", {name} in {Seconds((end - start).TotalSeconds)}" : "";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
    };
}

/// <summary>The commonest reject reasons of a run, from <see cref="RunSummaryText.ReadReasonsAsync"/>; <see cref="Complete"/> when every rejected row was read.</summary>
public sealed record RejectReasons(IReadOnlyList<(string Reason, long Count)> Top, long RowsSeen, bool Complete);
