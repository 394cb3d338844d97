namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>A process-wide source of cached access tokens for the Databricks workspace.</summary>
public interface IBearerTokenSource
{
    Task<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>Forgets <paramref name="token"/> if it is still the cached one (the workspace rejected it).</summary>
    void Invalidate(string token);
}
