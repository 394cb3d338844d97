using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Databricks OAuth machine-to-machine tokens for a service principal: <c>POST {workspace}/oidc/v1/token</c> with form
/// <c>grant_type=client_credentials&amp;scope=all-apis</c> and HTTP Basic client id/secret. The token is cached until
/// shortly before <c>expires_in</c>. One instance per process (singleton), shared by all <see cref="BearerTokenAuthHandler"/>s.
/// </summary>
public sealed class OAuthM2MTokenSource : IBearerTokenSource, IDisposable
{
    /// <summary>Path of the workspace token endpoint.</summary>
    public const string TokenPath = "oidc/v1/token";

    private readonly Func<HttpClient> _tokenClient;
    private readonly Uri _tokenEndpoint;
    private readonly AuthenticationHeaderValue _basic;
    private readonly AccessTokenCache _cache;
    private readonly TimeProvider _clock;

    /// <summary>Creates the source. <paramref name="tokenClient"/> must not carry Databricks auth itself.</summary>
    public OAuthM2MTokenSource(HttpClient tokenClient, Uri workspaceUrl, string clientId, string clientSecret, TimeSpan refreshSkew, TimeProvider? clock = null)
        : this(() => tokenClient, workspaceUrl, clientId, clientSecret, refreshSkew, clock)
    {
        ArgumentNullException.ThrowIfNull(tokenClient);
    }

    /// <summary>Creates the source over a client factory (e.g. <c>IHttpClientFactory.CreateClient</c>), called per token request.</summary>
    public OAuthM2MTokenSource(Func<HttpClient> tokenClient, Uri workspaceUrl, string clientId, string clientSecret, TimeSpan refreshSkew, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tokenClient);
        ArgumentNullException.ThrowIfNull(workspaceUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientSecret);
        _tokenClient = tokenClient;
        _tokenEndpoint = new Uri(EnsureTrailingSlash(workspaceUrl), TokenPath);
        _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{clientSecret}")));
        _clock = clock ?? TimeProvider.System;
        _cache = new AccessTokenCache(refreshSkew, _clock);
    }

    /// <summary>A valid access token, from the cache when it is not about to expire.</summary>
    public Task<string> GetTokenAsync(CancellationToken cancellationToken) => _cache.GetAsync(FetchAsync, cancellationToken);

    /// <summary>Drops <paramref name="token"/> from the cache (after a 401).</summary>
    public void Invalidate(string token) => _cache.Invalidate(token);

    /// <inheritdoc />
    public override string ToString() => $"OAuthM2MTokenSource {{ TokenEndpoint = {_tokenEndpoint}, ClientSecret = *** }}";

    private async Task<(string, DateTimeOffset)> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenEndpoint)
        {
            Content = new FormUrlEncodedContent([
                new KeyValuePair<string, string>("grant_type", "client_credentials"),
                new KeyValuePair<string, string>("scope", "all-apis"),
            ]),
        };
        request.Headers.Authorization = _basic;
        var requestedAt = _clock.GetUtcNow();
        using var response = await _tokenClient().SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // The token endpoint's body may echo request details; report the status only.
            throw new DatabricksApiException("oidc/v1/token", response.StatusCode, null, "could not obtain an OAuth token for the service principal");
        }

        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken).ConfigureAwait(false);
        if (body?.AccessToken is not { Length: > 0 } token)
        {
            throw new DatabricksApiException("oidc/v1/token", response.StatusCode, null, "token response without access_token");
        }

        var lifetime = TimeSpan.FromSeconds(body.ExpiresIn is > 0 ? body.ExpiresIn.Value : 3600);
        return (token, requestedAt + lifetime);
    }

    private static Uri EnsureTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("token_type")] string? TokenType,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn)
    {
        public override string ToString() => $"TokenResponse {{ AccessToken = ***, TokenType = {TokenType}, ExpiresIn = {ExpiresIn} }}";
    }

    public void Dispose() => _cache.Dispose();
}
