using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Functions.Http;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions;

public static class FunctionsServices
{
    /// <summary>
    /// The core over the TributaryStorage account, with the pipeline options of the "Tributary" section and, when a
    /// "Databricks" section is configured, the Databricks aggregation engine: the same registration as the standalone host.
    /// </summary>
    public static IServiceCollection AddTributaryFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(PipelineOptions.Section).Get<PipelineOptions>() ?? new PipelineOptions();
        var (blobs, queues) = StorageClients(configuration.GetSection(AppSettings.TributaryStorage), options);
        services.AddTributaryCore(blobs, queues, options, configuration);
        services.AddRunsApi<RunsApi>();
        services.AddHostedService<StorageBootstrap>();
        return services;
    }

    /// <summary>
    /// Registers the runs API implementation. It needs the durable client, which the Functions host hands
    /// to each invocation ([DurableClient]) rather than to DI, so the adapters build one per call.
    /// </summary>
    public static IServiceCollection AddRunsApi<TRunsApi>(this IServiceCollection services)
        where TRunsApi : class, IRunsApi
    {
        services.AddSingleton<IRunsApiFactory>(provider => new ActivatedRunsApiFactory<TRunsApi>(provider));
        return services;
    }

    /// <summary>Same conventions as the trigger bindings: a connection string, or service URIs plus an Entra ID credential.</summary>
    public static (BlobServiceClient Blobs, QueueServiceClient Queues) StorageClients(IConfigurationSection connection, PipelineOptions options)
    {
        var blobOptions = StorageClientOptions.Blobs(options);
        var queueOptions = StorageClientOptions.Queues(options);
        if (!string.IsNullOrWhiteSpace(connection.Value))
        {
            return (new BlobServiceClient(connection.Value, blobOptions), new QueueServiceClient(connection.Value, queueOptions));
        }

        var blobUri = connection["blobServiceUri"];
        var queueUri = connection["queueServiceUri"];
        if (blobUri is null || queueUri is null)
        {
            throw new InvalidOperationException(
                $"App setting '{connection.Path}' is missing: set it to a storage connection string, or set " +
                $"'{connection.Path}__blobServiceUri' and '{connection.Path}__queueServiceUri' for an identity-based connection.");
        }

        var credential = Credential(connection);
        return (new BlobServiceClient(new Uri(blobUri), credential, blobOptions), new QueueServiceClient(new Uri(queueUri), credential, queueOptions));
    }

    // DefaultAzureCredential covers both workload identity (AKS, the federated token file the webhook
    // injects) and managed identity; clientId picks a user-assigned identity.
    private static DefaultAzureCredential Credential(IConfigurationSection connection)
    {
        var clientId = connection["clientId"];
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = clientId,
            WorkloadIdentityClientId = clientId,
        });
    }
}
