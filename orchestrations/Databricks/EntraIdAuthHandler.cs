using System.Net;
using System.Net.Http.Headers;

namespace Tributary.Orchestrations.Databricks;

/// <summary>Adds a cached Microsoft Entra ID bearer token (<see cref="EntraIdTokenSource"/>) to every request.</summary>
public sealed class EntraIdAuthHandler : DelegatingHandler
{
    private readonly EntraIdTokenSource _tokens;

    /// <summary>Creates the handler over the process-wide token source.</summary>
    public EntraIdAuthHandler(EntraIdTokenSource tokens)
    {
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            _tokens.Invalidate(token);
        }

        return response;
    }
}
