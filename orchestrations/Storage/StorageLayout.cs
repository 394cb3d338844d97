using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Storage;

/// <summary>
/// Every output path is a function of (dataset, run id, chunk), so a retry or a replay overwrites
/// the same blob instead of adding a new one.
/// </summary>
public static class StorageLayout
{
    public const string ManifestFileName = "_manifest.json";

    public static string RunPrefix(string dataset, string runId) => $"{dataset}/run={runId}/";

    /// <summary>
    /// Root of a dataset's curated Delta table in <see cref="BlobContainers.Curated"/>: its log is
    /// <c>{dataset}/_delta_log/</c>, its data files are the runs' parts (<c>run={runId}/part-….parquet</c>).
    /// </summary>
    public static string CuratedTableRoot(string dataset) => $"{dataset}/";

    /// <summary>Root of a dataset's aggregate Delta table in <see cref="BlobContainers.Results"/>.</summary>
    public static string AggregateTableRoot(string dataset) => $"{dataset}/aggregate/";

    /// <summary>The aggregate table as a container-qualified path, as manifests list outputs.</summary>
    public static string AggregateTablePath(string dataset) => $"{BlobContainers.Results}/{AggregateTableRoot(dataset)}";

    /// <summary>
    /// The affected group keys a Databricks refresh for a run reads (<c>affected_keys_path</c>), in <see cref="BlobContainers.Results"/>
    /// under the aggregate table root; a hidden (<c>_</c>) folder, so Delta readers and vacuum ignore it.
    /// </summary>
    public static string AggregateRefreshKeys(string dataset, string runId) => $"{AggregateTableRoot(dataset)}_refresh/{runId}.json";

    /// <summary>A curated part's path relative to the curated table root (what the Delta log's add actions name).</summary>
    public static string CuratedPartInTable(string runId, int chunkIndex) => $"run={runId}/part-{chunkIndex:D5}.parquet";

    public static string CuratedPart(string dataset, string runId, int chunkIndex) =>
        $"{CuratedTableRoot(dataset)}{CuratedPartInTable(runId, chunkIndex)}";

    /// <summary>
    /// A gzip text input decompressed once at planning (in <see cref="BlobContainers.State"/>): its chunks are record-safe
    /// byte ranges of this blob. <paramref name="firstChunk"/> is the index of the input's first chunk in the run.
    /// </summary>
    public static string StagedDecompressed(string dataset, string runId, int firstChunk, DataFormat format) =>
        $"{StagedRunPrefix(dataset, runId)}gz-{firstChunk:D5}.{format.Name()}";

    /// <summary>Every staged copy of one run (in <see cref="BlobContainers.State"/>): deleted once the run is committed.</summary>
    public static string StagedRunPrefix(string dataset, string runId) => $"work/{dataset}/run={runId}/";

    public static string RejectedPart(string dataset, string runId, int chunkIndex) =>
        $"{RunPrefix(dataset, runId)}part-{chunkIndex:D5}.jsonl";

    public static string AggregateResult(string dataset, string runId) => $"{RunPrefix(dataset, runId)}aggregate.parquet";

    /// <summary>Folder the Databricks job writes its result into (Spark writes a directory of part files).</summary>
    public static string DatabricksResultFolder(string dataset, string runId) => $"{RunPrefix(dataset, runId)}aggregate/";

    /// <summary>The summary the Databricks job writes (its own format); the collect activity reads it into the manifest.</summary>
    public static string DatabricksJobSummary(string dataset, string runId) => $"{RunPrefix(dataset, runId)}_databricks_summary.json";

    /// <summary>The external engine run in flight for a Tributary run (in <see cref="BlobContainers.State"/>), for cancellation.</summary>
    public static string EngineRun(string runId) => $"engine-runs/{runId}.json";

    /// <summary>
    /// The results of one processing activity's chunks (<paramref name="firstChunk"/> is its lowest chunk index), kept
    /// beside the run in <see cref="BlobContainers.Results"/>: the orchestration passes this path, not the results.
    /// </summary>
    public static string ChunkResults(string dataset, string runId, int firstChunk) => $"{RunPrefix(dataset, runId)}_chunks/{firstChunk:D5}.json";

    /// <summary>The manifest lives with the results; it is written last and is the commit point of a run.</summary>
    public static string Manifest(string dataset, string runId) => $"{RunPrefix(dataset, runId)}{ManifestFileName}";

    /// <summary>Folder of intake claims; a run id starts with its dataset, so <c>{IntakeClaimsFolder}{dataset}-</c> narrows a listing.</summary>
    public const string IntakeClaimsFolder = "intake/";

    public static string IntakeClaim(string runId) => $"{IntakeClaimsFolder}{runId}.json";

    public static string IntakeClaimsOf(string? dataset) => dataset is null ? IntakeClaimsFolder : $"{IntakeClaimsFolder}{dataset}-";

    /// <summary>A whole input file quarantined by a run, under the run's folder in the rejected container.</summary>
    public static string QuarantinedFile(string dataset, string runId, string inputName) =>
        $"{RunPrefix(dataset, runId)}files/{BlobNames.Sanitize(inputName).TrimEnd('.')}";

    /// <summary>A frozen copy of a dataset definition, by content hash (see FrozenDefinitions).</summary>
    public static string DefinitionSnapshot(string dataset, string hash) => $"definitions/{dataset}/{hash}.json";

    /// <summary>A backfill, written when it starts, so listings show backfills beside runs (in <see cref="BlobContainers.State"/>).</summary>
    public const string BackfillRecordsFolder = "backfills/";

    public static string BackfillRecord(string backfillId) => $"{BackfillRecordsFolder}{backfillId}.json";

    /// <summary>Backfill ids are backfill-{dataset}-…, so a dataset narrows the listing of their records.</summary>
    public static string BackfillRecordsOf(string? dataset) => dataset is null ? BackfillRecordsFolder : $"{BackfillRecordsFolder}backfill-{dataset}-";

    /// <summary>Which run owns one blob version (create-if-absent: a version lands in one run only).</summary>
    public static string VersionClaim(string dataset, string versionHash) => $"versions/{dataset}/{versionHash}.json";

    /// <summary>Pending arrivals of a batched dataset; removed once their window is sealed into a run.</summary>
    public const string ArrivalsFolder = "arrivals/";

    public static string ArrivalsPrefix(string dataset) => $"{ArrivalsFolder}{dataset}/";

    public static string Arrival(string dataset, string versionHash) => $"{ArrivalsPrefix(dataset)}{versionHash}.json";

    /// <summary>A sealed batch window: its inputs are written down before its run is scheduled.</summary>
    public const string BatchClaimsFolder = "batches/";

    public static string BatchClaimsPrefix(string dataset) => $"{BatchClaimsFolder}{dataset}/";

    public static string BatchClaim(string dataset, string batchId) => $"{BatchClaimsPrefix(dataset)}{batchId}.json";

    /// <summary>Leased while one batcher seals a dataset's windows, so two hosts never seal the same arrivals.</summary>
    public static string BatcherLock(string dataset) => $"locks/batcher-{dataset}";

    /// <summary>
    /// Where a processed input version is archived, in <see cref="BlobContainers.Archive"/>: its incoming name plus
    /// <c>@{etag}</c>, so versions of one name stay apart, a prefix of the incoming name still selects it, and the name
    /// is known before the move (the manifest records it first).
    /// </summary>
    public static string ArchivedInput(string incomingBlobName, string etag) => $"{incomingBlobName}@{etag.Trim('"')}";

    /// <summary>The incoming name and ETag an <see cref="ArchivedInput"/> name keeps (split at its last <c>@</c>), or null.</summary>
    public static (string IncomingName, string ETag)? ArchivedVersionOf(string archivedName)
    {
        var at = archivedName.LastIndexOf('@');
        return at > 0 && at < archivedName.Length - 1 ? (archivedName[..at], archivedName[(at + 1)..]) : null;
    }

    /// <summary>
    /// Drop manifests, in <see cref="BlobContainers.Incoming"/> under a reserved folder that is no dataset (dataset names
    /// never start with <c>_</c>): <c>_drops/{dataset}/{dropId}.json</c>, written by <c>drop</c> after its last upload.
    /// </summary>
    public const string DropManifestsFolder = "_drops/";

    public static string DropManifest(string dataset, string dropId) => $"{DropManifestsFolder}{dataset}/{dropId}.json";

    public static bool IsDropManifest(string incomingBlobName) => incomingBlobName.StartsWith(DropManifestsFolder, StringComparison.Ordinal);

    /// <summary>The dataset a drop manifest's name gives (<c>_drops/{dataset}/…</c>), or null for any other name.</summary>
    public static string? DatasetOfDropManifest(string incomingBlobName) =>
        IsDropManifest(incomingBlobName) ? DatasetOf(incomingBlobName[DropManifestsFolder.Length..]) : null;

    /// <summary>The dataset is the first folder of an incoming blob name: <c>{dataset}/...</c>.</summary>
    public static string? DatasetOf(string incomingBlobName)
    {
        var slash = incomingBlobName.IndexOf('/');
        return slash > 0 ? incomingBlobName[..slash] : null;
    }
}
