using System.Diagnostics;
using System.Text.Json;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// Optimistic concurrency over <see cref="IDeltaStore.CreateIfAbsentAsync"/>: plan against the latest snapshot, try to
/// create the next commit file, and on losing the race catch up and plan again. A txn action for the appId makes a
/// replay find its own commit instead of appending a second one.
/// </summary>
public static class DeltaCommitter
{
    public static async Task<DeltaCommitResult> CommitAsync(IDeltaStore store, string appId, Func<DeltaSnapshot?, DeltaCommitPlan> plan, DeltaCommitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        options ??= DeltaCommitOptions.Default;
        var snapshot = options.Known is { } known
            ? await DeltaLog.UpdateAsync(store, known, cancellationToken: cancellationToken)
            : await DeltaLog.ReadSnapshotAsync(store, cancellationToken: cancellationToken);
        var attempts = 0;
        var conflicts = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (snapshot is not null && snapshot.Transactions.ContainsKey(appId))
            {
                return new DeltaCommitResult(snapshot.CommittedIn(appId)!.Value, true, 0, 0, attempts, conflicts) { Snapshot = snapshot };
            }

            if (snapshot is not null && !snapshot.Protocol.CanWrite)
            {
                throw new NotSupportedException($"The table needs Delta writer version {snapshot.Protocol.MinWriterVersion}; this writer implements version 2 only.");
            }

            var planned = plan(snapshot);
            if (planned.IsNothing)
            {
                return new DeltaCommitResult(snapshot?.Version ?? -1, false, 0, 0, attempts, conflicts) { NothingToDo = true, Snapshot = snapshot };
            }

            var version = (snapshot?.Version ?? -1) + 1;
            var now = options.Clock.GetUtcNow();
            var actions = Actions(snapshot, planned, appId, version, now, options);
            attempts++;
            if (await store.CreateIfAbsentAsync(DeltaPaths.Commit(version), DeltaLogFile.Write(actions), cancellationToken))
            {
                var result = new DeltaCommitResult(version, false, planned.Adds.Count, planned.Removes.Count, attempts, conflicts);
                return result with { CheckpointWritten = await TryCheckpointAsync(store, snapshot, actions, version, options, cancellationToken), Snapshot = snapshot };
            }

            conflicts++;
            var table = new TagList { { TributaryTelemetry.Attributes.Table, options.Table } };
            TributaryTelemetry.CommitConflicts.Add(1, table);
            if (attempts >= options.MaxAttempts)
            {
                throw new DeltaCommitConflictException(appId, attempts, version);
            }

            TributaryTelemetry.CommitRetries.Add(1, table);

            // Someone else wrote this version: move to the newest state (only the new commit files are read).
            snapshot = snapshot is null
                ? await DeltaLog.ReadSnapshotAsync(store, cancellationToken: cancellationToken)
                : await DeltaLog.UpdateAsync(store, snapshot, cancellationToken: cancellationToken);
        }
    }

    private static List<DeltaAction> Actions(DeltaSnapshot? snapshot, DeltaCommitPlan plan, string appId, long version, DateTimeOffset now, DeltaCommitOptions options)
    {
        if (snapshot is null && (plan.Protocol is null || plan.Metadata is null))
        {
            throw new InvalidOperationException("The table does not exist yet: the first commit's plan must carry protocol and metadata.");
        }

        if (plan.Protocol is { CanWrite: false } protocol)
        {
            throw new NotSupportedException($"This writer only writes protocol (1, 2), not ({protocol.MinReaderVersion}, {protocol.MinWriterVersion}).");
        }

        var metadata = plan.Metadata ?? snapshot!.Metadata;
        if (metadata.AppendOnly && plan.Removes.Any(remove => remove.DataChange))
        {
            throw new InvalidOperationException("The table is append-only (delta.appendOnly = true): a commit may not remove data.");
        }

        // Writer version 2 must enforce column invariants; we have no SQL evaluator, so we refuse such tables instead.
        if (plan.Metadata is not null && metadata.Schema.Fields.Any(field => field.Metadata.ContainsKey("delta.invariants")))
        {
            throw new NotSupportedException("Column invariants (delta.invariants) are not supported by this writer.");
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in plan.Adds.Select(add => add.Path))
        {
            if (!paths.Add(path))
            {
                throw new InvalidOperationException($"The plan adds '{path}' twice; a valid commit has at most one add per path.");
            }
        }

        var commitInfo = new DeltaCommitInfo(DeltaJson.Millis(now), plan.Operation, plan.OperationParameters)
        {
            ReadVersion = snapshot?.Version,
            IsolationLevel = "Serializable",
            IsBlindAppend = plan.Removes.Count == 0 && plan.Metadata is null,
            EngineInfo = options.EngineInfo,
            TxnId = Guid.NewGuid().ToString(),
            Fields = plan.CommitInfo.Count == 0 ? null : plan.CommitInfo.ToDictionary(field => field.Key, field => JsonSerializer.SerializeToElement(field.Value, DeltaJson.Options)),
        };

        var actions = new List<DeltaAction> { DeltaAction.Of(commitInfo) };
        if (plan.Protocol is not null && plan.Protocol != snapshot?.Protocol)
        {
            actions.Add(DeltaAction.Of(plan.Protocol));
        }

        if (plan.Metadata is not null)
        {
            actions.Add(DeltaAction.Of(plan.Metadata));
        }

        // The txn's version is the table version of this commit, so a checkpoint still tells where it was committed.
        actions.Add(DeltaAction.Of(new DeltaTxn(appId, version, DeltaJson.Millis(now))));
        actions.AddRange(plan.Removes.Select(DeltaAction.Of));
        actions.AddRange(plan.Adds.Select(DeltaAction.Of));
        return actions;
    }

    private static async Task<bool> TryCheckpointAsync(IDeltaStore store, DeltaSnapshot? before, List<DeltaAction> actions, long version, DeltaCommitOptions options, CancellationToken cancellationToken)
    {
        if (options.CheckpointInterval <= 0 || version == 0 || version % options.CheckpointInterval != 0)
        {
            return false;
        }

        try
        {
            var builder = before is null ? new DeltaSnapshotBuilder() : new DeltaSnapshotBuilder(before);
            builder.ApplyCommit(version, actions);
            await DeltaCheckpoint.WriteAsync(store, builder.Build(), options.TombstoneRetention, options.Clock.GetUtcNow(), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The commit is durable; a missing checkpoint only makes the next read replay a few more files.
            options.OnCheckpointFailed?.Invoke(version, e);
            return false;
        }
    }
}
