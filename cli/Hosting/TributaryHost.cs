using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host: storage (configured or embedded Azurite), the durable engine sidecar, one worker
/// running the core's orchestrators and activities, the durable client, and optionally the blob watcher.
/// </summary>
public sealed class TributaryHost : IAsyncDisposable
{
    private readonly StorageConnection storage;
    private readonly DurableSidecar sidecar;
    private readonly IHost host;

    private TributaryHost(StorageConnection storage, DurableSidecar sidecar, IHost host)
    {
        this.storage = storage;
        this.sidecar = sidecar;
        this.host = host;
    }

    public IServiceProvider Services => host.Services;

    public DurableTaskClient Client => host.Services.GetRequiredService<DurableTaskClient>();

    public string StorageConnectionString => storage.ConnectionString;

    /// <summary>The storage in use: configured, or the home's shared embedded Azurite.</summary>
    public StorageConnection Storage => storage;

    public static Task<TributaryHost> StartAsync(IConfiguration configuration, bool watch, ILoggerFactory loggerFactory, Action<string>? say, CancellationToken cancellationToken) =>
        StartAsync(configuration, HostRole.Worker, watch, loggerFactory, say, cancellationToken);

    /// <summary>Starts a host; <see cref="HostRole.ClientOnly"/> runs no worker (one worker process per task hub).</summary>
    public static async Task<TributaryHost> StartAsync(IConfiguration configuration, HostRole role, bool watch, ILoggerFactory loggerFactory, Action<string>? say, CancellationToken cancellationToken)
    {
        var storage = await StorageConnection.OpenAsync(configuration, say, cancellationToken);
        try
        {
            var pipeline = configuration.Pipeline();
            var engine = configuration.GetSection(EngineSettings.Section).Get<EngineSettings>() ?? new EngineSettings();
            var sidecar = await DurableSidecar.StartAsync(storage.ConnectionString, pipeline.TaskHub, engine, loggerFactory, dispatch: role == HostRole.Worker, cancellationToken);

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddTributaryCore(storage.ConnectionString, pipeline, configuration);
            builder.Services.AddTributaryTelemetry(configuration);
            if (role == HostRole.Worker)
            {
                builder.Services.AddDurableTaskWorker(worker =>
                {
                    sidecar.Serve(worker);
                    worker.AddTasks(TributaryTasks.Register);
                });
            }

            builder.Services.AddDurableTaskClient(client => client.UseGrpc(sidecar.Address));
            if (watch)
            {
                builder.Services.AddSingleton(new WatcherOptions(
                    configuration.GetValue("Tributary:WatchInterval", TimeSpan.FromSeconds(1)),
                    configuration.GetValue("Tributary:WatchParallelism", WatcherOptions.DefaultSubmitParallelism)));
                builder.Services.AddHostedService<BlobWatcher>();
                builder.Services.AddHostedService<BatchSealer>();
                builder.Services.AddHostedService<IncomingSweeper>();
                builder.Services.AddHostedService<BatchSealQueueListener>();
                builder.Services.AddHostedService<BackfillQueueListener>();
                builder.Services.AddSingleton<Orchestrations.Telemetry.QueueBacklog>();
                builder.Services.AddHostedService<QueueBacklogSampler>();
            }

            var host = builder.Build();
            await host.Services.GetRequiredService<Orchestrations.Storage.BlobStore>().EnsureContainersAsync(cancellationToken);
            await host.StartAsync(cancellationToken);
            if (role == HostRole.Worker)
            {
                await sidecar.EngineStarted.WaitAsync(DurableSidecar.StartTimeout, cancellationToken);
            }

            return new TributaryHost(storage, sidecar, host);
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
            await sidecar.DisposeAsync();
            await storage.DisposeAsync();
        }
    }
}
