using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Engines;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations;

public static class ServiceCollectionExtensions
{
    /// <summary>The services the core's activities and intake need, over one storage account.</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options) =>
        services.AddTributaryCore(new BlobServiceClient(storageConnectionString), new QueueServiceClient(storageConnectionString), options);

    /// <summary>The same, over clients the host built itself (for example identity-based ones, which have no connection string).</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, BlobServiceClient blobs, QueueServiceClient queues, PipelineOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(blobs);
        services.AddSingleton(queues);
        services.AddSingleton<BlobStore>();
        services.AddSingleton(new DatasetCatalog(options.DatasetsPath));
        services.AddSingleton<ChunkPlanner>();
        services.AddSingleton<FileQuarantine>();
        services.AddSingleton<DuckDbChunkProcessor>();
        services.AddSingleton<DuckDbAggregationEngine>();
        services.AddSingleton<RunIntake>();
        services.AddSingleton<Runs.RunCatalog>();
        return services;
    }
}
