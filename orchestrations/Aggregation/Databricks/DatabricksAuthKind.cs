namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>How Tributary authenticates to the Databricks workspace REST API.</summary>
public enum DatabricksAuthKind
{
    /// <summary>Personal access token (or any static bearer token): <c>Authorization: Bearer {Token}</c>.</summary>
    Pat,

    /// <summary>OAuth machine-to-machine: client credentials of a Databricks service principal against <c>{workspace}/oidc/v1/token</c>.</summary>
    OAuthM2M,

    /// <summary>Microsoft Entra ID token (managed identity, workload identity, service principal) via Azure.Identity.</summary>
    EntraId,
}
