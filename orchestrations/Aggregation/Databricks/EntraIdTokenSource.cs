using Azure.Core;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Microsoft Entra ID access tokens for the Azure Databricks resource
/// (<c>2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default</c>) from an Azure.Identity <see cref="TokenCredential"/>
/// (DefaultAzureCredential unless another is given), cached until shortly before they expire. Singleton.
/// </summary>
public sealed class EntraIdTokenSource : IBearerTokenSource, IDisposable
{
    /// <summary>The AzureDatabricks first-party application id scope.</summary>
    public const string AzureDatabricksScope = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default";

    private readonly TokenCredential _credential;
    private readonly AccessTokenCache _cache;

    /// <summary>Creates the source over <paramref name="credential"/>.</summary>
    public EntraIdTokenSource(TokenCredential credential, TimeSpan refreshSkew, TimeProvider? clock = null)
    {
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        _cache = new AccessTokenCache(refreshSkew, clock ?? TimeProvider.System);
    }

    /// <summary>A valid access token, from the cache when it is not about to expire.</summary>
    public Task<string> GetTokenAsync(CancellationToken cancellationToken) => _cache.GetAsync(FetchAsync, cancellationToken);

    /// <summary>Drops <paramref name="token"/> from the cache (after a 401).</summary>
    public void Invalidate(string token) => _cache.Invalidate(token);

    private async Task<(string, DateTimeOffset)> FetchAsync(CancellationToken cancellationToken)
    {
        var token = await _credential.GetTokenAsync(new TokenRequestContext([AzureDatabricksScope]), cancellationToken).ConfigureAwait(false);
        return (token.Token, token.ExpiresOn);
    }

    public void Dispose() => _cache.Dispose();
}
