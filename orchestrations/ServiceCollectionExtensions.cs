using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations;

public static class ServiceCollectionExtensions
{
    /// <summary>The services the core's activities and intake need, over one storage account; no Databricks engine.</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options) =>
        services.AddCore(new BlobServiceClient(storageConnectionString, StorageClientOptions.Blobs(options)), new QueueServiceClient(storageConnectionString, StorageClientOptions.Queues(options)), options);

    /// <summary>
    /// As above, plus the Databricks engine when <paramref name="configuration"/> has a <c>Databricks</c> section
    /// (see <see cref="AddTributaryDatabricks"/>). A deployment-wide <c>databricks</c> engine without it is refused here.
    /// </summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options, IConfiguration configuration) =>
        services.AddTributaryCore(new BlobServiceClient(storageConnectionString, StorageClientOptions.Blobs(options)), new QueueServiceClient(storageConnectionString, StorageClientOptions.Queues(options)), options, configuration);

    /// <summary>The same, over clients the host built itself (identity-based ones have no connection string).</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, BlobServiceClient blobs, QueueServiceClient queues, PipelineOptions options, IConfiguration configuration)
    {
        services.AddCore(blobs, queues, options);
        var configured = services.AddTributaryDatabricks(configuration, blobs.AccountName);
        if (!configured && Normalize(options.AggregationEngine) == AggregationEngines.Databricks)
        {
            throw new InvalidOperationException("Tributary:AggregationEngine is databricks but no Databricks section is configured (Databricks:WorkspaceUrl, Databricks:JobId, ...).");
        }

        return services;
    }

    /// <summary>
    /// After <c>AddTributaryCore</c> (any overload, any host): registers the Databricks engine when <paramref name="configuration"/>
    /// has <c>Databricks:WorkspaceUrl</c>: the Jobs client bound to the section (validated at start), the
    /// <see cref="DatabricksAggregationSettings"/> (<c>Databricks:StorageRoot</c>, default the ADLS Gen2 root of
    /// <paramref name="storageAccountName"/>) and the <see cref="DatabricksRunCanceller"/>. Returns whether it did.
    /// </summary>
    public static bool AddTributaryDatabricks(this IServiceCollection services, IConfiguration configuration, string storageAccountName)
    {
        var section = configuration.GetSection(DatabricksJobsOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section[nameof(DatabricksJobsOptions.WorkspaceUrl)]))
        {
            return false;
        }

        var root = section["StorageRoot"];
        if (string.IsNullOrWhiteSpace(root))
        {
            root = DatabricksAggregationSettings.AbfssRoot(storageAccountName);
        }
        else if (!root.Contains(DatabricksAggregationSettings.ContainerPlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Databricks:StorageRoot must contain {container}, e.g. abfss://{container}@myaccount.dfs.core.windows.net");
        }

        services.AddDatabricksJobs(section);
        services.AddOptions<DatabricksJobsOptions>().ValidateOnStart();
        // Registered after the core's defaults: the last registration wins.
        services.AddSingleton(new DatabricksAggregationSettings(true, root));
        services.AddSingleton<IEngineRunCanceller, DatabricksRunCanceller>();
        return true;
    }

    private static IServiceCollection AddCore(this IServiceCollection services, BlobServiceClient blobs, QueueServiceClient queues, PipelineOptions options)
    {
        ValidateEngine(options);
        services.AddSingleton(options);
        services.AddSingleton(blobs);
        services.AddSingleton(queues);
        services.AddSingleton<BlobStore>();
        services.AddSingleton(new DatasetCatalog(options.DatasetsPath));
        services.AddSingleton<FrozenDefinitions>();
        services.AddSingleton<ChunkPlanner>();
        services.AddSingleton<FileQuarantine>();

        // A pack activity runs the single-chunk activity for each of its chunks; planning runs a pack when the run is one small pack.
        services.AddTransient<ProcessChunkActivity>();
        services.AddTransient<ProcessChunkPackActivity>();
        services.AddTransient<ProcessPackActivity>();
        services.AddTransient<ReadChunkResultsActivity>();
        services.AddSingleton<ChunkResultFiles>();
        services.AddSingleton<DuckDbChunkProcessor>();
        services.AddSingleton<CsvPackProcessor>();
        services.AddSingleton(new ChunkSlots(options.ChunksInFlight));
        services.AddSingleton<VersionClaims>();
        services.AddSingleton<IntakeClaims>();
        services.AddSingleton<RunCommitter>();
        services.AddSingleton<InputArchiver>();
        services.AddSingleton<DatasetTables>();
        services.AddSingleton<TableFileCache>();
        services.AddSingleton<AggregateRefresher>();
        services.AddSingleton<NewestTableVersions>();
        services.AddSingleton<TableCommitter>();
        services.AddSingleton<LocalAggregateRefresh>();

        // The manifest-and-archive activity runs the two single activities one after the other.
        services.AddTransient<CommitRunActivity>();
        services.AddTransient<ArchiveInputsActivity>();

        // The finish activity runs the commit-and-refresh and the manifest-and-archive activities one after the other.
        services.AddTransient<CommitAndRefreshActivity>();
        services.AddTransient<CommitRunAndArchiveActivity>();
        services.AddSingleton<DatasetQuery>();
        services.AddSingleton<ArrivalRecords>();
        services.AddSingleton<RunIntake>();
        services.AddSingleton<ArrivalBatcher>();
        services.AddSingleton<IncomingSweep>();
        services.AddSingleton<BatchSealMessages>();
        services.AddSingleton<BlobCreatedEvents>();
        services.AddSingleton<RunCatalog>();
        services.AddSingleton(DatabricksAggregationSettings.Disabled);
        services.TryAddSingleton<IEngineRunCanceller, NoEngineRunCanceller>();

        // A Databricks refresh recomputes the groups the DuckDB refresh would: keys of the curated files changed since the
        // curated version the aggregate table records.
        services.TryAddSingleton<IAffectedGroups, TableAffectedGroups>();

        // Needs a DurableTaskClient from the host; the Functions app builds one per call instead (see RunsApi).
        services.AddSingleton<IRunsApi, RunsApi>();
        services.AddSingleton<BackfillQueueProcessor>();
        return services;
    }

    /// <summary>A misspelt deployment-wide engine is a configuration error, reported at start rather than per run.</summary>
    private static void ValidateEngine(PipelineOptions options)
    {
        var engine = Normalize(options.AggregationEngine);
        if (engine is not (null or AggregationEngines.DuckDb or AggregationEngines.Databricks))
        {
            throw new InvalidOperationException($"Tributary:AggregationEngine '{options.AggregationEngine}' must be duckdb or databricks.");
        }
    }

    private static string? Normalize(string? engine) => string.IsNullOrWhiteSpace(engine) ? null : engine.Trim().ToLowerInvariant();
}
