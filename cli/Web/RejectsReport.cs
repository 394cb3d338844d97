using System.Text.Json;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Web;

/// <summary>One group of a run's rejects: a column and a rule, how many rows broke it, and a few of those rows.</summary>
public sealed record RejectGroup(string Column, string Rule, long Rows, IReadOnlyList<RejectedRow> Samples);

/// <summary>A run's rejects grouped by column and rule, read from the rejected JSON lines the chunks wrote.</summary>
/// <param name="RowsRead">Rejected rows read (a row with several reasons counts once per group).</param>
/// <param name="Capped">True when the run has more rejected rows than were read.</param>
public sealed record RejectsReport(IReadOnlyList<RejectGroup> Groups, long RowsRead, bool Capped)
{
    public const int MaxRows = 100_000;
    public const int SamplesPerGroup = 3;
    private const int MaxOriginalChars = 400;

    /// <summary>Streams the run's rejected parts (rejected/{dataset}/run={id}/part-NNNNN.jsonl) up to <see cref="MaxRows"/> rows.</summary>
    public static async Task<RejectsReport> ReadAsync(BlobStore store, RunManifest manifest, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<(string Column, string Rule), (long Rows, List<RejectedRow> Samples)>();
        long read = 0;
        var capped = false;
        foreach (var path in manifest.Chunks.Where(c => !c.IsQuarantined && c.RejectedPath is not null).OrderBy(c => c.Index).Select(c => c.RejectedPath!))
        {
            if (capped)
            {
                break;
            }

            var blob = store.BlobAt(path);
            if (!await blob.ExistsAsync(cancellationToken))
            {
                continue;
            }

            await using var stream = await BlobStore.OpenReadAsync(blob, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (read == MaxRows)
                {
                    capped = true;
                    break;
                }

                if (line.Length == 0 || JsonSerializer.Deserialize<RejectedRow>(line, BlobStore.Json) is not { } row)
                {
                    continue;
                }

                read++;
                foreach (var key in row.Reasons.Select(RejectReason.Split).Distinct())
                {
                    var (rows, samples) = groups.GetValueOrDefault(key, (0, []));
                    if (samples.Count < SamplesPerGroup)
                    {
                        samples.Add(row.Original.Length > MaxOriginalChars ? row with { Original = row.Original[..MaxOriginalChars] + "…" } : row);
                    }

                    groups[key] = (rows + 1, samples);
                }
            }
        }

        return new RejectsReport(
            groups.OrderByDescending(g => g.Value.Rows).ThenBy(g => g.Key.Column, StringComparer.Ordinal)
                .Select(g => new RejectGroup(g.Key.Column, g.Key.Rule, g.Value.Rows, g.Value.Samples)).ToList(),
            read,
            capped);
    }
}
