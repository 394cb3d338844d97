namespace Tributary.Orchestrations.Storage;

/// <summary>
/// Every output path is a function of (dataset, run id, chunk), so a retry or a replay overwrites
/// the same blob instead of adding a new one.
/// </summary>
public static class StorageLayout
{
    public const string ManifestFileName = "_manifest.json";

    public static string RunPrefix(string dataset, string runId) => $"{dataset}/run={runId}/";

    public static string CuratedPart(string dataset, string runId, int chunkIndex) =>
        $"{RunPrefix(dataset, runId)}part-{chunkIndex:D5}.parquet";

    public static string RejectedPart(string dataset, string runId, int chunkIndex) =>
        $"{RunPrefix(dataset, runId)}part-{chunkIndex:D5}.jsonl";

    public static string AggregateResult(string dataset, string runId) => $"{RunPrefix(dataset, runId)}aggregate.parquet";

    public static string AggregateSummary(string dataset, string runId) => $"{RunPrefix(dataset, runId)}summary.json";

    /// <summary>Folder the Databricks job writes its result into (Spark writes a directory of part files).</summary>
    public static string DatabricksResultFolder(string dataset, string runId) => $"{RunPrefix(dataset, runId)}aggregate/";

    /// <summary>The summary the Databricks job writes (its own format); Tributary writes <see cref="AggregateSummary"/> from it.</summary>
    public static string DatabricksJobSummary(string dataset, string runId) => $"{RunPrefix(dataset, runId)}_databricks_summary.json";

    /// <summary>The external engine run in flight for a Tributary run (in <see cref="BlobContainers.State"/>), for cancellation.</summary>
    public static string EngineRun(string runId) => $"engine-runs/{runId}.json";

    /// <summary>The manifest lives with the results; it is written last and is the commit point of a run.</summary>
    public static string Manifest(string dataset, string runId) => $"{RunPrefix(dataset, runId)}{ManifestFileName}";

    public static string IntakeClaim(string runId) => $"intake/{runId}.json";

    /// <summary>A backfill, written when it starts, so listings show backfills beside runs (in <see cref="BlobContainers.State"/>).</summary>
    public static string BackfillRecord(string backfillId) => $"backfills/{backfillId}.json";

    /// <summary>Which run owns one blob version (create-if-absent: a version lands in one run only).</summary>
    public static string VersionClaim(string dataset, string versionHash) => $"versions/{dataset}/{versionHash}.json";

    /// <summary>Pending arrivals of a batched dataset; removed once their window is sealed into a run.</summary>
    public static string ArrivalsPrefix(string dataset) => $"arrivals/{dataset}/";

    public static string Arrival(string dataset, string versionHash) => $"{ArrivalsPrefix(dataset)}{versionHash}.json";

    /// <summary>A sealed batch window: its inputs are written down before its run is scheduled.</summary>
    public static string BatchClaimsPrefix(string dataset) => $"batches/{dataset}/";

    public static string BatchClaim(string dataset, string batchId) => $"{BatchClaimsPrefix(dataset)}{batchId}.json";

    /// <summary>Leased while one batcher seals a dataset's windows, so two hosts never seal the same arrivals.</summary>
    public static string BatcherLock(string dataset) => $"locks/batcher-{dataset}";

    /// <summary>The dataset is the first folder of an incoming blob name: <c>{dataset}/...</c>.</summary>
    public static string? DatasetOf(string incomingBlobName)
    {
        var slash = incomingBlobName.IndexOf('/');
        return slash > 0 ? incomingBlobName[..slash] : null;
    }
}
