using System.Text.Json;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// The curated version an aggregate-table commit reflects. Two writers record it: our Delta writer (DuckDB refresh) as
/// the commitInfo field <c>curatedVersion</c>, Spark (the Databricks job) in the standard <c>userMetadata</c> string as
/// JSON <c>{"curatedVersion": N, …}</c>, since Spark cannot add commitInfo fields. Readers accept both.
/// </summary>
public static class AggregateCommitVersion
{
    public const string Field = "curatedVersion";
    public const string UserMetadata = "userMetadata";

    public static long? Of(DeltaCommitInfo? commitInfo)
    {
        if (commitInfo?.Fields is not { } fields)
        {
            return null;
        }

        if (fields.TryGetValue(Field, out var field) && field.ValueKind == JsonValueKind.Number && field.TryGetInt64(out var version))
        {
            return version;
        }

        if (fields.TryGetValue(UserMetadata, out var metadata) && metadata.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var document = JsonDocument.Parse(metadata.GetString()!);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty(Field, out var inner)
                    && inner.ValueKind == JsonValueKind.Number
                    && inner.TryGetInt64(out var fromMetadata))
                {
                    return fromMetadata;
                }
            }
            catch (JsonException)
            {
                // userMetadata set by someone else: not ours.
            }
        }

        return null;
    }

    /// <summary>The newest curated version recorded in the aggregate's recent history (null: none recorded).</summary>
    public static async Task<long?> NewestAsync(IDeltaStore aggregate, int depth = 50, CancellationToken cancellationToken = default)
    {
        var history = await DeltaLog.ReadHistoryAsync(aggregate, depth, cancellationToken);
        return history.Select(entry => Of(entry.CommitInfo)).Max();
    }
}
