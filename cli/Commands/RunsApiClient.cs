using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Cli.Api;

namespace Tributary.Cli.Commands;

/// <summary>
/// The CLI's way to a running `tributary serve`: its HTTP API. Only one worker process may own a task hub, so
/// commands that start work ask the serving host instead of starting a second worker.
/// </summary>
public sealed class RunsApiClient : IDisposable
{
    public const string KeyEnvironmentVariable = "TRIBUTARY_API_KEY";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;

    private RunsApiClient(HttpClient http) => this.http = http;

    public static Option<string?> UrlOption() => new("--api") { Description = "URL of the serving host's API (default http://127.0.0.1:{Tributary:Api:Port})." };

    public static RunsApiClient Create(IConfiguration configuration, string? url)
    {
        var options = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        var http = new HttpClient { BaseAddress = new Uri(url ?? $"http://127.0.0.1:{options.Port}/"), Timeout = TimeSpan.FromSeconds(60) };
        // The home's key goes only to a serve on this machine: it is that serve's, and no use to any other.
        var key = configuration[KeyEnvironmentVariable] ?? options.Keys.FirstOrDefault()
            ?? (http.BaseAddress.IsLoopback ? Runtime.LocalApiKey.Read(Runtime.TributaryHome.Resolve()) : null);
        if (!string.IsNullOrEmpty(key))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return new RunsApiClient(http);
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"no API at {http.BaseAddress}: is `tributary serve` running? ({ex.Message})", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var problem = await response.Content.ReadAsStringAsync(cancellationToken);
                var detail = TryDetail(problem) ?? problem;
                throw new InvalidOperationException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
            }

            return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
        }
    }

    public void Dispose() => http.Dispose();

    private static string? TryDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
