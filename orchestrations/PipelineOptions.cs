using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations;

/// <summary>Settings of the pipeline core, bound from the "Tributary" configuration section.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Tributary";

    /// <summary>Durable task hub; Azure Storage derives its queue and table names from it.</summary>
    public string TaskHub { get; set; } = "Tributary";

    /// <summary>Upper bound on processing activities one run keeps in flight.</summary>
    public int MaxChunksInFlight { get; set; } = 16;

    /// <summary>Chunks smaller than this are packed several to one processing activity (0 turns packing off).</summary>
    public long PackChunksBelowBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>At most this many chunks, and about <see cref="PackChunksBelowBytes"/> bytes, go into one pack.</summary>
    public int MaxChunksPerPack { get; set; } = 25;

    /// <summary>
    /// A pack's whole CSV files are validated and written by one DuckDB pass (<see cref="CsvPackProcessor"/>), each file
    /// still with its own curated part and rejects; off, each file gets its own pass (the same results, more CPU).
    /// </summary>
    public bool SharedPackPass { get; set; } = true;

    /// <summary>Folder of dataset definitions (*.json, *.yaml).</summary>
    public string DatasetsPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "datasets");

    /// <summary>Scratch space for staged chunks and DuckDB spill files.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "tributary-work");

    /// <summary>
    /// DuckDB's buffer pool for the aggregate refresh (and table queries). 128 MB keeps serve's peak near its 400 MB bound:
    /// with 512 MB the first refresh over 5.7 M rows took ~550 MB more for a few seconds (bench hostile, whole corpus
    /// 893-935 MB peak; 523-565 MB with 128 MB, same speed). Holistic aggregates (quantiles) keep their values outside it.
    /// The Functions deployment sets 512MB (pods have 2 GiB).
    /// </summary>
    public string DuckDbMemoryLimit { get; set; } = "128MB";

    /// <summary>
    /// Above this many curated rows, a refresh with a quantile or count_distinct measure computes its groups in batches
    /// (see <c>AggregateRecompute</c>): those measures hold every value of a group in memory, outside
    /// <see cref="DuckDbMemoryLimit"/>. 4 M rows keep one quantile's values near 32 MB.
    /// </summary>
    public long RefreshRowsPerBatch { get; set; } = 4_000_000;

    /// <summary>DuckDB's memory limit while processing one chunk (the aggregation uses <see cref="DuckDbMemoryLimit"/>).</summary>
    public string DuckDbChunkMemoryLimit { get; set; } = Processing.DuckDbChunkProcessor.DefaultMemoryLimit;

    /// <summary>Slots for chunks one host processes with DuckDB at once, each one large chunk or two small ones (see <see cref="Processing.ChunkSlots"/>); peak RSS follows it.</summary>
    public int ChunksInFlight { get; set; } = Processing.ChunkSlots.Default;

    /// <summary>Bounds on what a gzip input may expand to (a gzip bomb is quarantined, reading stops at the limit).</summary>
    public Processing.Compression.GzipLimits Gzip { get; set; } = new();

    /// <summary>
    /// How long one storage request, or one read of a response body, may stay silent before the client abandons it and
    /// retries (the SDK's default is 100 s: a hung request stalled its activity that long per try). Every request here
    /// moves at most one 4 MiB block, and a streamed read resumes from its last byte, so a healthy request is far shorter.
    /// </summary>
    public TimeSpan StorageNetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an intake claim without an orchestration is left to its owner before another intake takes it over.</summary>
    public TimeSpan IntakeClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the reconciliation sweep lists incoming for blobs every trigger missed (see Intake/IncomingSweep).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Blobs younger than this are left to their event or the watcher; older unclaimed ones are taken in by the sweep.</summary>
    public TimeSpan SweepGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a file carrying drop metadata waits for its drop's manifest, counted from the drop's newest upload; after
    /// that (a drop killed midway) its files are taken in one by one, as if dropped alone.
    /// </summary>
    public TimeSpan DropManifestWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Files of one drop per run when the dataset's batch window sets no maxFiles.</summary>
    public int DropMaxFilesPerRun { get; set; } = 1000;

    /// <summary>
    /// How long `tributary drop` keeps adding files to one run once its first upload began; later files go to the next
    /// run. It bounds how long a file waits for the files that run with it (see DropParts). Each extra run is a table
    /// commit and a refresh: at 2 s, 10,000 local files became 27 runs instead of 20 and took a third longer
    /// (bench/README.md), so 5 s, longer than a 500-file run takes to upload here, cuts only slow uploads.
    /// </summary>
    public TimeSpan DropPartAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Batch window of datasets whose definition has no batch section; the default is one run per blob.</summary>
    public BatchWindow Batch { get; set; } = BatchWindow.None;

    /// <summary>Blobs a backfill lists per page (one listing activity each).</summary>
    public int BackfillPageSize { get; set; } = 500;

    /// <summary>Pages a backfill generation handles before ContinueAsNew, which keeps its history bounded.</summary>
    public int BackfillPagesPerGeneration { get; set; } = 4;

    /// <summary>Defaults of a backfill request that leaves them out.</summary>
    public int BackfillBatchSize { get; set; } = 100;

    public int BackfillMaxParallel { get; set; } = 4;

    /// <summary>How a run's commit and refresh are shaped on one host (each switch a lever of <c>bench e2e</c>).</summary>
    public RunShapeOptions RunShape { get; set; } = new();

    /// <summary>
    /// Deployment-wide aggregation engine (<c>duckdb</c> or <c>databricks</c>); when set it overrides every dataset's
    /// <c>aggregation.engine</c>. Null: each dataset decides.
    /// </summary>
    public string? AggregationEngine { get; set; }

    /// <summary>The engine that aggregates <paramref name="dataset"/> here: the deployment-wide override, else the dataset's own.</summary>
    public string AggregationEngineFor(DatasetDefinition dataset) =>
        string.IsNullOrWhiteSpace(AggregationEngine) ? dataset.Aggregation.Engine : AggregationEngine.Trim().ToLowerInvariant();
}
