using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Grpc.Internal;

namespace Tributary.Cli.Runtime;

/// <summary>
/// The Durable Task engine for the standalone host: the SDK's gRPC sidecar driving the Azure Storage
/// orchestration service, so orchestration state lives in the storage account and survives a crash.
/// It serves one worker connection, so a process runs one sidecar.
/// </summary>
/// <remarks>
/// Why this route, and what would replace it: the sidecar (<c>TaskHubGrpcServer</c>) comes from a preview testing
/// package (Microsoft.DurableTask.InProcessTestHost). Microsoft supports the Durable Task SDKs in production only on
/// the Durable Task Scheduler, whose packages are not served to us; the Functions deployment uses the supported
/// Durable extension instead. This class is the one adapter to swap for a Durable Task Scheduler client when it
/// can be used; the quirk tests (EngineQuirkTests) show what the route needs from its replacement.
/// </remarks>
public sealed class DurableSidecar : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TimeSpan workerSilentDisconnectTimeout;

    private DurableSidecar(WebApplication app, string address, Task engineStarted, TimeSpan workerSilentDisconnectTimeout)
    {
        this.app = app;
        Address = address;
        EngineStarted = engineStarted;
        this.workerSilentDisconnectTimeout = workerSilentDisconnectTimeout;
    }

    /// <summary>
    /// Completes when the dispatcher has started the engine, which the sidecar does in the background once a worker
    /// connects: a host waits for it so that "serving" means the engine runs and a stop never lands inside its start.
    /// </summary>
    public Task EngineStarted { get; }

    /// <summary>How long shutdown waits for the engine to release its partitions.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a host waits for the dispatcher to start the engine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The sidecar's gRPC address on loopback.</summary>
    public string Address { get; }

    /// <param name="dispatch">
    /// False for a client-only sidecar (status, start, terminate): it runs no dispatcher, so it never competes
    /// with the one worker process of the task hub for work items.
    /// </param>
    public static async Task<DurableSidecar> StartAsync(string storageConnectionString, string taskHub, EngineSettings settings, ILoggerFactory loggerFactory, bool dispatch, CancellationToken cancellationToken)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(storageConnectionString),
            TaskHubName = taskHub,
            PartitionCount = settings.PartitionCount,
            ControlQueueVisibilityTimeout = settings.QueueVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = settings.QueueVisibilityTimeout,
            LeaseInterval = settings.LeaseInterval,
            LeaseRenewInterval = TimeSpan.FromTicks(settings.LeaseInterval.Ticks / 3),
            MaxQueuePollingInterval = settings.MaxQueuePollingInterval,
            MaxConcurrentTaskActivityWorkItems = settings.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = settings.MaxConcurrentOrchestrations,
            LoggerFactory = loggerFactory,
        });

        // The engine does not create its task hub on its own.
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var dispatched = new NormalizingOrchestrationService(service, StopTimeout, settings.ActivityLockRenewInterval);
        builder.Services.AddSingleton<IOrchestrationService>(dispatched);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        builder.Services.Configure<TaskHubGrpcServerOptions>(options =>
            options.Mode = dispatch ? TaskHubGrpcServerMode.ApiServerAndDispatcher : TaskHubGrpcServerMode.ApiServerOnly);
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DurableSidecar(app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal), dispatched.Started, settings.WorkerSilentDisconnectTimeout);
    }

    /// <summary>Connects <paramref name="worker"/> to this sidecar, with the stream settings the sidecar needs (see <see cref="EngineSettings.WorkerSilentDisconnectTimeout"/>).</summary>
    public void Serve(IDurableTaskWorkerBuilder worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        worker.UseGrpc(options =>
        {
            options.Address = Address;
            options.SetSilentDisconnectTimeout(workerSilentDisconnectTimeout);
        });
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
