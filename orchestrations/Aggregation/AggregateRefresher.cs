using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// Keeps a dataset's aggregate table equal to its aggregation spec over the curated table at a recorded version.
/// A refresh to curated version V recomputes only the groups keyed in files added or removed since the version the
/// aggregate reflects, from the whole curated table at V, and replaces them in one aggregate commit. An older view
/// never overwrites a newer one: when the aggregate already reflects V or later, nothing happens, and a refresh that
/// loses a commit race redoes its work against the newer aggregate (or drops it when that one is as new).
/// </summary>
public sealed class AggregateRefresher
{
    /// <summary>Aggregate files kept before a refresh rewrites them all into one.</summary>
    public const int CompactAbove = 8;

    private const int MaxAttempts = 10;

    private readonly DatasetTables? tables;
    private readonly TableFileCache cache;
    private readonly PipelineOptions options;

    // One refresh per dataset at a time reads both tables each time: only the commits since the last one are new.
    private readonly LastReadSnapshots snapshots = new();

    public AggregateRefresher(DatasetTables tables, TableFileCache cache, PipelineOptions options)
        : this(cache, options) => this.tables = tables;

    /// <summary>For callers that pass the tables' stores themselves (tests, tools).</summary>
    public AggregateRefresher(TableFileCache cache, PipelineOptions options)
    {
        this.cache = cache;
        this.options = options;
    }

    /// <summary>
    /// Test seam for crash tests: called with the new aggregate file's path after it is uploaded and before the commit.
    /// </summary>
    public Func<string, Task>? BeforeCommit { get; init; }

    public TableFileCache Cache => cache;

    /// <summary>Refreshes <paramref name="dataset"/>'s aggregate to reflect curated version <paramref name="curatedVersion"/>.</summary>
    public Task<AggregateRefreshResult> RefreshAsync(string dataset, AggregationSpec spec, long curatedVersion, string? runId = null, CancellationToken cancellationToken = default) =>
        RefreshAsync(Tables.Curated(dataset), Tables.Aggregate(dataset), spec, curatedVersion, runId, full: false, cancellationToken);

    /// <summary>Recomputes every group over the latest curated version and replaces the whole aggregate.</summary>
    public async Task<AggregateRefreshResult> RefreshFullAsync(string dataset, AggregationSpec spec, string? runId = null, CancellationToken cancellationToken = default)
    {
        var curated = Tables.Curated(dataset);
        var latest = await snapshots.ReadAsync(curated, cancellationToken: cancellationToken)
            ?? throw new InvalidOperationException($"dataset '{dataset}' has no curated table yet: nothing to aggregate");
        return await RefreshAsync(curated, Tables.Aggregate(dataset), spec, latest.Version, runId, full: true, cancellationToken);
    }

    /// <summary>The refresh over explicit table stores; <paramref name="full"/> recomputes every group even when up to date.</summary>
    public async Task<AggregateRefreshResult> RefreshAsync(
        IDeltaStore curated, IDeltaStore aggregate, AggregationSpec spec, long curatedVersion, string? runId, bool full, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(curatedVersion);
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await TryOnceAsync(curated, aggregate, spec, curatedVersion, runId, full, attempt, cancellationToken);
            if (outcome is not null)
            {
                return outcome;
            }

            if (attempt >= MaxAttempts)
            {
                throw new DeltaCommitConflictException(AggregateTableLog.RefreshAppId(curatedVersion), attempt, -1);
            }
        }
    }

    /// <summary>One read–compute–commit; null when another refresh committed first and the work must be redone.</summary>
    private async Task<AggregateRefreshResult?> TryOnceAsync(
        IDeltaStore curated, IDeltaStore aggregate, AggregationSpec spec, long curatedVersion, string? runId, bool full, int attempt, CancellationToken cancellationToken)
    {
        var before = await snapshots.ReadAsync(aggregate, cancellationToken: cancellationToken);
        var reflected = await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, before, cancellationToken);
        if (!full && reflected >= curatedVersion)
        {
            return new AggregateRefreshResult(before!.Version, reflected.Value, 0, false, false, attempt, 0);
        }

        var curatedSnapshot = await snapshots.ReadAsync(curated, curatedVersion, cancellationToken)
            ?? throw new InvalidOperationException($"the curated table has no version {curatedVersion}");
        var specHash = AggregateTableLog.SpecHash(spec);
        var sameSpec = before is not null && before.Metadata.Configuration.TryGetValue(AggregateTableLog.SpecHashKey, out var hash) && hash == specHash;

        using var work = new WorkDirectory(options.WorkDirectory, $"refresh-{curatedVersion}");
        var changed = full || !sameSpec ? null : await AffectedGroups.ChangedLocalFilesAsync(curated, reflected, curatedVersion, cache, cancellationToken);
        var activeAggregates = before?.ActiveFiles.Values.ToList() ?? [];
        var activeCurated = curatedSnapshot.ActiveFiles.Values.ToList();
        var curatedSchema = curatedSnapshot.Metadata.Schema;

        using var connection = DuckDbTables.Open(work.Path, options.DuckDbMemoryLimit);
        var recompute = new AggregateRecompute(connection, spec, options.RefreshRowsPerBatch);
        var isFull = changed is null || (spec.GroupBy.Count == 0 && changed.Count > 0);
        long groups = 0;
        var filesRead = 0;
        IReadOnlyList<DeltaAdd> replaced = [];
        var rewrite = isFull || changed!.Count > 0;
        if (!isFull && rewrite)
        {
            groups = recompute.LoadAffected(changed!);

            // Only the curated files whose stats allow an affected key are read.
            var candidates = recompute.CandidateFiles(activeCurated, curatedSchema).Select(i => activeCurated[i]).ToList();
            var curatedFiles = await cache.GetAllAsync(curated, candidates.Select(a => (a.StoragePath, a.Size)), cancellationToken);
            var localAggregates = await cache.GetAllAsync(aggregate, activeAggregates.Select(a => (a.StoragePath, a.Size)), cancellationToken);
            var replacedLocal = recompute.Incremental(curatedFiles, curatedSchema, localAggregates, CompactAbove);
            var byLocal = localAggregates.Zip(activeAggregates).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            replaced = replacedLocal.Select(l => byLocal[l]).ToList();
            filesRead = candidates.Count;

            // A curated schema change that alters the aggregate's columns cannot be merged with the old rows.
            isFull = recompute.Schema().ToSchemaString() != before!.Metadata.SchemaString;
        }

        if (isFull)
        {
            var curatedFiles = await cache.GetAllAsync(curated, activeCurated.Select(a => (a.StoragePath, a.Size)), cancellationToken);
            groups = recompute.Full(curatedFiles, curatedSchema);
            replaced = activeAggregates;
            filesRead = curatedFiles.Count;
        }

        var adds = new List<DeltaAdd>();
        DeltaMetadata? metadata = null;
        if (rewrite)
        {
            var schema = recompute.Schema();
            var local = Path.Combine(work.Path, "aggregate.parquet");
            var rows = recompute.Write(local);
            if (rows > 0)
            {
                var name = $"part-c{curatedVersion:D10}-{Guid.NewGuid():N}.parquet";
                var stats = await DeltaFileStats.ComputeAsync(local, cancellationToken);
                await aggregate.WriteAsync(name, BinaryData.FromBytes(await File.ReadAllBytesAsync(local, cancellationToken)), cancellationToken);
                adds.Add(DeltaAdd.ForFile(name, new FileInfo(local).Length, DateTimeOffset.UtcNow, stats));
            }

            var configuration = new Dictionary<string, string>(before?.Metadata.Configuration ?? new Dictionary<string, string>()) { [AggregateTableLog.SpecHashKey] = specHash };
            metadata = before is null
                ? DeltaMetadata.Create(schema, configuration: configuration)
                : !sameSpec || schema.ToSchemaString() != before.Metadata.SchemaString
                    ? before.Metadata with { SchemaString = schema.ToSchemaString(), Configuration = configuration }
                    : null;
        }

        if (adds.Count > 0 && BeforeCommit is { } hook)
        {
            await hook(adds[0].StoragePath);
        }

        var now = DateTimeOffset.UtcNow;
        var stale = false;
        var plan = new DeltaCommitPlan(adds, replaced.Select(a => a.ToRemove(now)).ToList())
        {
            Metadata = metadata,
            Protocol = before is null ? DeltaProtocol.Default : null,
            Operation = AggregateTableLog.RefreshOperation,
            OperationParameters = new Dictionary<string, string> { ["mode"] = isFull ? "full" : "incremental" },
            CommitInfo = new Dictionary<string, object?>
            {
                ["runId"] = runId,
                [AggregateTableLog.CuratedVersionField] = curatedVersion,
                [AggregateTableLog.UserMetadataField] = AggregateTableLog.UserMetadata(curatedVersion),
                ["groupsRefreshed"] = groups,
            },
        };

        // A full refresh asked by hand may repeat a version already reflected: it gets its own appId.
        var appId = full ? $"tributary-full-{Guid.NewGuid():N}" : AggregateTableLog.RefreshAppId(curatedVersion);
        var result = await DeltaCommitter.CommitAsync(
            aggregate,
            appId,
            snapshot =>
            {
                // Our removes and kept rows were read from `before`; any newer commit means redoing them.
                stale = (snapshot?.Version ?? -1) != (before?.Version ?? -1);
                return stale ? DeltaCommitPlan.Nothing : plan;
            },
            cancellationToken: cancellationToken);

        if (stale || result.AlreadyCommitted)
        {
            foreach (var add in adds)
            {
                await aggregate.DeleteAsync(add.StoragePath, cancellationToken);
            }

            return result.AlreadyCommitted ? new AggregateRefreshResult(result.Version, curatedVersion, 0, false, false, attempt, filesRead) : null;
        }

        return new AggregateRefreshResult(result.Version, curatedVersion, groups, true, isFull, attempt, filesRead, recompute.Batches);
    }

    private DatasetTables Tables => tables ?? throw new InvalidOperationException("this refresher was built without DatasetTables: pass the table stores");
}
