using System.Net;
using System.Net.Http.Headers;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Adds a cached bearer token to every request (OAuth M2M or Microsoft Entra ID), and drops the cached token
/// when the workspace answers 401 so the next attempt fetches a fresh one.
/// </summary>
public sealed class BearerTokenAuthHandler(IBearerTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokens.Invalidate(token);
        }

        return response;
    }
}
