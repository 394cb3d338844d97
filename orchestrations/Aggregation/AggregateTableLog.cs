using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// How the aggregate table records what it reflects. Each refresh commit's commitInfo carries <c>curatedVersion</c>
/// (the curated table version the whole aggregate equals the spec over), and the same as <c>userMetadata</c>
/// <c>{"curatedVersion":N}</c>, the only commitInfo field a Spark writer can set and Spark's history shows (the Databricks
/// job records it there); the latest such commit is the truth. This is the one reader of that record, for both engines.
/// The commit's txn (appId <c>tributary-refresh-{curatedVersion}</c>) lets a replayed refresh of the same version
/// find its commit. The spec's hash sits in the table configuration, so a changed spec forces a full recompute.
/// </summary>
public static class AggregateTableLog
{
    public const string CuratedVersionField = "curatedVersion";

    /// <summary>The commitInfo field Spark writers set (writer option <c>userMetadata</c>) and Spark's history exposes.</summary>
    public const string UserMetadataField = "userMetadata";
    public const string SpecHashKey = "tributary.aggregationSpecHash";
    public const string RefreshOperation = "REFRESH";

    /// <summary>Commits scanned back for a refresh record (other writers, e.g. OPTIMIZE, may sit on top).</summary>
    private const int MaxCommitsBack = 100;

    public static string RefreshAppId(long curatedVersion) => $"tributary-refresh-{curatedVersion}";

    /// <summary>The curated version the aggregate reflects, or null when it was never refreshed (or has no table).</summary>
    public static async Task<long?> ReflectedCuratedVersionAsync(IDeltaStore aggregate, DeltaSnapshot? snapshot, CancellationToken cancellationToken = default)
    {
        if (snapshot is null)
        {
            return null;
        }

        for (var version = snapshot.Version; version >= 0 && version > snapshot.Version - MaxCommitsBack; version--)
        {
            var content = await aggregate.ReadAsync(DeltaPaths.Commit(version), cancellationToken);
            if (content is null)
            {
                return null;
            }

            if (CuratedVersionOf(DeltaLogFile.Read(content).Select(a => a.CommitInfo).FirstOrDefault(c => c is not null)) is { } reflected)
            {
                return reflected;
            }
        }

        return null;
    }

    /// <summary>
    /// For time travel: the newest aggregate version that reflects curated version <paramref name="curatedVersion"/> or
    /// an older one, with the curated version it reflects; null when no refresh is that old.
    /// </summary>
    public static async Task<(long AggregateVersion, long CuratedVersion)?> AsOfCuratedVersionAsync(IDeltaStore aggregate, long curatedVersion, CancellationToken cancellationToken = default)
    {
        (long, long)? found = null;
        foreach (var entry in await DeltaLog.ReadHistoryAsync(aggregate, cancellationToken: cancellationToken))
        {
            if (CuratedVersionOf(entry.CommitInfo) is { } reflected && reflected <= curatedVersion)
            {
                found = (entry.Version, reflected);
            }
        }

        return found;
    }

    /// <summary>
    /// The curated version a commit says it reflects: our <c>curatedVersion</c> field, or the same key inside Spark's
    /// <c>userMetadata</c> string (a Spark writer sets it with the writer option <c>userMetadata</c> = <c>{"curatedVersion":N}</c>).
    /// </summary>
    public static long? CuratedVersionOf(DeltaCommitInfo? commitInfo)
    {
        if (commitInfo?.Fields is not { } fields)
        {
            return null;
        }

        if (fields.TryGetValue(CuratedVersionField, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt64();
        }

        if (fields.TryGetValue(UserMetadataField, out var user) && user.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var document = JsonDocument.Parse(user.GetString()!);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(CuratedVersionField, out var inner) && inner.TryGetInt64(out var version))
                {
                    return version;
                }
            }
            catch (JsonException)
            {
                // Someone else's free text.
            }
        }

        return null;
    }

    /// <summary>The <c>userMetadata</c> of a refresh commit reflecting <paramref name="curatedVersion"/>: <c>{"curatedVersion":N}</c>.</summary>
    public static string UserMetadata(long curatedVersion) =>
        JsonSerializer.Serialize(new Dictionary<string, long> { [CuratedVersionField] = curatedVersion });

    /// <summary>First 16 bytes of the SHA-256 of what the spec computes (groups and measures, not the engine), in hex.</summary>
    public static string SpecHash(AggregationSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { spec.GroupBy, spec.Measures })))[..16]);
}
