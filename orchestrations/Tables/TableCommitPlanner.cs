using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// Derives a run's commit to the curated table from a snapshot. Pure: the committer calls it again with the newer
/// snapshot after every lost race, so the rule below is applied to whatever the table holds at each try.
/// <para>
/// The rule, per input name of the run: the table holds the rows of one version of each input name, the newest.
/// Versions are ordered by the input's Last-Modified (unknown counts as oldest); the same ETag is the same version,
/// and then the later commit replaces the earlier (a rerun, a forced backfill). So for each name, if an active file
/// of that name comes from a different version modified strictly later than this run's, the table is newer: this run
/// adds nothing and removes nothing for that name (it is reported as stale). Otherwise every active file of that name
/// is removed and this run's parts for it are added. Within one run (a batch holding two versions of a name), only
/// the newest version's parts are added. Files without an input tag (not written by a run) are never touched.
/// </para>
/// </summary>
public static class TableCommitPlanner
{
    public const string Operation = "WRITE";

    /// <exception cref="TableSchemaException">The run's schema is neither the table's, nor the table's plus new nullable columns, nor older than it in that way.</exception>
    public static TableCommitDecision Plan(DeltaSnapshot? snapshot, CommitTableRequest request, DeltaSchema schema, DateTimeOffset now)
    {
        var latest = request.Inputs
            .Select((input, order) => (input, order))
            .GroupBy(x => x.input.Name, StringComparer.Ordinal)
            .Select(g => g.OrderBy(x => x.input.LastModified ?? DateTimeOffset.MinValue).ThenBy(x => x.order).Last().input)
            .ToList();
        var active = snapshot?.ActiveFiles.Values ?? [];
        var byInput = active
            .Where(add => PartTags.InputOf(add.Tags) is not null)
            .ToLookup(add => PartTags.InputOf(add.Tags)!, StringComparer.Ordinal);

        var stale = new List<string>();
        var removes = new List<DeltaRemove>();
        var taken = new HashSet<(string Name, string ETag)>();
        foreach (var input in latest)
        {
            var existing = byInput[input.Name].ToList();
            if (existing.Any(add => IsNewer(add, input)))
            {
                stale.Add(input.Name);
                continue;
            }

            removes.AddRange(existing.Select(add => add.ToRemove(now)));
            taken.Add((input.Name, input.ETag));
        }

        var adds = request.Parts
            .Where(part => taken.Contains((part.Input.Name, part.Input.ETag)))
            .OrderBy(part => part.ChunkIndex)
            .Select(part => AddOf(request.RunId, part, now))
            .ToList();

        var plan = new DeltaCommitPlan(adds, removes)
        {
            Operation = Operation,
            OperationParameters = new Dictionary<string, string> { ["mode"] = removes.Count == 0 ? "Append" : "Overwrite", ["partitionBy"] = "[]" },
            CommitInfo = new Dictionary<string, object?>
            {
                ["runId"] = request.RunId,
                ["inputs"] = request.Inputs.Select(i => new { name = i.Name, etag = i.ETag, lastModified = i.LastModified }).ToList(),
                ["staleInputs"] = stale,
            },
        };

        if (snapshot is null)
        {
            // Version 0 creates the table: protocol (1, 2), the definition's schema, no partition columns.
            return new TableCommitDecision(plan with { Protocol = DeltaProtocol.Default, Metadata = DeltaMetadata.Create(schema, createdTime: now) }, stale);
        }

        return new TableCommitDecision(plan with { Metadata = EvolvedMetadata(snapshot.Metadata, schema, request.Dataset) }, stale);
    }

    /// <summary>
    /// The metadata update a run's schema needs: none when it is the table's, or the table's minus nullable columns a
    /// newer definition added (a run frozen before that change; its files read as null there); the table's plus new
    /// nullable columns evolves the table in this commit; anything else fails the run, naming the columns.
    /// </summary>
    private static DeltaMetadata? EvolvedMetadata(DeltaMetadata current, DeltaSchema proposed, string dataset)
    {
        var table = current.Schema;
        var forward = table.CompareTo(proposed);
        if (forward.Change == DeltaSchemaChange.Same)
        {
            return null;
        }

        if (forward.Change == DeltaSchemaChange.NewNullableColumns)
        {
            var evolved = new DeltaSchema([.. table.Fields, .. proposed.Fields.Where(f => table.Find(f.Name) is null)]);
            return current with { SchemaString = evolved.ToSchemaString() };
        }

        if (proposed.CompareTo(table).Change == DeltaSchemaChange.NewNullableColumns)
        {
            return null;
        }

        throw new TableSchemaException(dataset, forward.IncompatibleColumns, forward.Reasons);
    }

    /// <summary>True when <paramref name="add"/> holds a different version of the input, modified strictly later than <paramref name="input"/>.</summary>
    private static bool IsNewer(DeltaAdd add, BlobReference input) =>
        PartTags.ETagOf(add.Tags) != input.ETag &&
        (PartTags.ModifiedOf(add.Tags) ?? DateTimeOffset.MinValue) > (input.LastModified ?? DateTimeOffset.MinValue);

    private static DeltaAdd AddOf(string runId, TablePart part, DateTimeOffset now) => new(
        DeltaPaths.Encode(StorageLayout.CuratedPartInTable(runId, part.ChunkIndex)),
        new Dictionary<string, string?>(),
        part.Bytes,
        now.ToUnixTimeMilliseconds(),
        DataChange: true,
        part.Stats,
        PartTags.Of(runId, part.Input));
}
