using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Tributary.Cli.Hosting;
using Tributary.Cli.Web;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Api;

/// <summary>
/// The standalone host's HTTP API on loopback: minimal APIs over the core's <see cref="IRunsApi"/>, API-key
/// authentication, Problem Details for every error, body size limit, and the OpenAPI document at /openapi/v1.json;
/// and the web UI at /ui (cli/Web), behind a sign-in with the same keys or the one-time token.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private ApiServer(WebApplication app, Uri address, UiSessions sessions)
    {
        this.app = app;
        Address = address;
        UiSessions = sessions;
    }

    public Uri Address { get; }

    public Uri UiAddress => new(Address, "/ui");

    public UiSessions UiSessions { get; }

    /// <summary>Every mapped route with its HTTP methods: what a caller can reach (the tests check each refuses anonymous callers).</summary>
    public IReadOnlyList<(string Method, string Route)> Routes =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToList();

    public static async Task<ApiServer> StartAsync(IServiceProvider core, ApiOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(core.GetRequiredService<IRunsApi>());
        builder.Services.AddSingleton(core.GetRequiredService<DurableTaskClient>());
        var sessions = new UiSessions(options);
        builder.Services.AddSingleton(sessions);
        builder.Services.AddSingleton(core.GetRequiredService<BlobStore>());
        builder.Services.AddSingleton(core.GetRequiredService<RunCatalog>());
        builder.Services.AddSingleton(core.GetRequiredService<DatasetCatalog>());
        builder.Services.AddSingleton(core.GetRequiredService<DatasetTables>());
        builder.Services.AddSingleton(core.GetRequiredService<DatasetQuery>());
        builder.Services.AddProblemDetails();
        builder.Services.AddPrometheusMetrics(core.GetService<IConfiguration>());
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Tributary runs API";
            document.Info.Description = "Reruns, reprocessing (backfills over HTTP), run status and cancellation. Send an API key as X-Api-Key or Authorization: Bearer.";
            return Task.CompletedTask;
        }));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, options.Port);

            // The endpoints enforce MaxBodyBytes with a Problem Details answer; this is the server's backstop.
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes * 2;
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<ApiKeyAuthentication>();
        app.UseMiddleware<UiAuthentication>();
        app.MapOpenApi();
        app.MapMetrics();
        app.MapRunsApi();
        app.MapUi();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(app, new Uri(address), sessions);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
