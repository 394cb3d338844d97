using System.Net.Http.Headers;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Adds <c>Authorization: Bearer {personal access token}</c> to every request.</summary>
public sealed class PatAuthHandler : DelegatingHandler
{
    private readonly string _token;

    /// <summary>Creates the handler for a personal access token.</summary>
    public PatAuthHandler(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _token = token;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return base.SendAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => "PatAuthHandler { Token = *** }";
}
