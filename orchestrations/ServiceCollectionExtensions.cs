using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Batching;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Engines;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations;

public static class ServiceCollectionExtensions
{
    /// <summary>The services the core's activities and intake need, over one storage account.</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, string storageConnectionString, PipelineOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(new BlobServiceClient(storageConnectionString));
        services.AddSingleton(new QueueServiceClient(storageConnectionString));
        services.AddSingleton<BlobStore>();
        services.AddSingleton(new DatasetCatalog(options.DatasetsPath));
        services.AddSingleton<ChunkPlanner>();
        services.AddSingleton<FileQuarantine>();
        services.AddSingleton<DuckDbChunkProcessor>();
        services.AddSingleton<DuckDbAggregationEngine>();
        services.AddSingleton<VersionClaims>();
        services.AddSingleton<ArrivalRecords>();
        services.AddSingleton<RunIntake>();
        services.AddSingleton<ArrivalBatcher>();
        services.AddSingleton<Runs.RunCatalog>();
        services.TryAddSingleton<IEngineRunCanceller, NoEngineRunCanceller>();

        // Needs a DurableTaskClient from the host; the Functions app builds one per call instead (see RunsApi).
        services.AddSingleton<IRunsApi, RunsApi>();
        services.AddSingleton<BackfillQueueProcessor>();
        return services;
    }
}
