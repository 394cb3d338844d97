using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Api;
using Tributary.Cli.Hosting;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>A real standalone host (worker, watcher, batcher, queue listener) with its HTTP API on a free loopback port.</summary>
public sealed class ApiTestHost : IAsyncDisposable
{
    public const string Key = "test-key-0123456789";

    private ApiTestHost(TributaryHost host, ApiServer api)
    {
        Host = host;
        Api = api;
        Http = new HttpClient { BaseAddress = api.Address };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Anonymous = new HttpClient { BaseAddress = api.Address };
    }

    public TributaryHost Host { get; }

    public ApiServer Api { get; }

    /// <summary>Sends the API key.</summary>
    public HttpClient Http { get; }

    /// <summary>Sends no credentials.</summary>
    public HttpClient Anonymous { get; }

    public static async Task<ApiTestHost> StartAsync(IConfiguration configuration, long maxBodyBytes = 64 * 1024)
    {
        var host = await TestHosts.StartAsync(configuration);
        var options = new ApiOptions { Port = 0, Keys = [Key], MaxBodyBytes = maxBodyBytes };
        var api = await ApiServer.StartAsync(host.Services, options, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning)), CancellationToken.None);
        return new ApiTestHost(host, api);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Anonymous.Dispose();
        await Api.DisposeAsync();
        await Host.DisposeAsync();
    }
}
