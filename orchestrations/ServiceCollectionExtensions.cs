using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Databricks;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Engines;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations;

public static class ServiceCollectionExtensions
{
    /// <summary>The services the core's activities and intake need, over one storage account; no Databricks engine.</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options) =>
        services.AddCore(storageConnectionString, options, DatabricksAggregationSettings.Disabled);

    /// <summary>
    /// As above, plus the Databricks engine when <paramref name="configuration"/> has a <c>Databricks</c> section with
    /// <c>WorkspaceUrl</c> (bound to <see cref="DatabricksJobsOptions"/> and validated at start; <c>StorageRoot</c>
    /// optional, see <see cref="DatabricksAggregationSettings"/>).
    /// </summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(DatabricksJobsOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section[nameof(DatabricksJobsOptions.WorkspaceUrl)]))
        {
            return services.AddCore(storageConnectionString, options, DatabricksAggregationSettings.Disabled);
        }

        var root = section["StorageRoot"];
        if (string.IsNullOrWhiteSpace(root))
        {
            root = DatabricksAggregationSettings.AbfssRoot(new BlobServiceClient(storageConnectionString).AccountName);
        }
        else if (!root.Contains(DatabricksAggregationSettings.ContainerPlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Databricks:StorageRoot must contain {container}, e.g. abfss://{container}@myaccount.dfs.core.windows.net");
        }

        services.AddDatabricksJobs(section);
        services.AddOptions<DatabricksJobsOptions>().ValidateOnStart();
        services.AddSingleton<IEngineRunCanceller, DatabricksRunCanceller>();
        return services.AddCore(storageConnectionString, options, new DatabricksAggregationSettings(true, root));
    }

    private static IServiceCollection AddCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options, DatabricksAggregationSettings databricks)
    {
        ValidateEngine(options, databricks.Enabled);
        services.AddSingleton(options);
        services.AddSingleton(new BlobServiceClient(storageConnectionString));
        services.AddSingleton(new QueueServiceClient(storageConnectionString));
        services.AddSingleton<BlobStore>();
        services.AddSingleton(new DatasetCatalog(options.DatasetsPath));
        services.AddSingleton<ChunkPlanner>();
        services.AddSingleton<FileQuarantine>();
        services.AddSingleton<DuckDbChunkProcessor>();
        services.AddSingleton<DuckDbAggregationEngine>();
        services.AddSingleton<RunIntake>();
        services.AddSingleton<Runs.RunCatalog>();
        services.AddSingleton(databricks);
        services.TryAddSingleton<IEngineRunCanceller, NoEngineRunCanceller>();
        return services;
    }

    /// <summary>A deployment-wide engine that cannot run is a configuration error, reported at start rather than per run.</summary>
    private static void ValidateEngine(PipelineOptions options, bool databricksConfigured)
    {
        var engine = options.AggregationEngine?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(engine) || engine == AggregationEngines.DuckDb || (engine == AggregationEngines.Databricks && databricksConfigured))
        {
            return;
        }

        throw new InvalidOperationException(engine == AggregationEngines.Databricks
            ? "Tributary:AggregationEngine is databricks but no Databricks section is configured (Databricks:WorkspaceUrl, Databricks:JobId, ...)."
            : $"Tributary:AggregationEngine '{options.AggregationEngine}' must be duckdb or databricks.");
    }
}
