namespace Tributary.Deploy.Tests.Keda;

// keda.sh/v1alpha1 TriggerAuthentication, limited to the sources this project may use.

public sealed record TriggerAuthentication
{
    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";
    public KedaObjectMeta Metadata { get; init; } = new();
    public TriggerAuthenticationSpec Spec { get; init; } = new();
}

public sealed record TriggerAuthenticationSpec
{
    public PodIdentity? PodIdentity { get; init; }
    public List<AuthEnvironment> Env { get; init; } = [];
    public List<AuthSecretTargetRef> SecretTargetRef { get; init; } = [];
}

public sealed record PodIdentity
{
    public string Provider { get; init; } = "";
    public string? IdentityId { get; init; }
    public string? IdentityTenantId { get; init; }
}

/// <summary>KEDA reads <see cref="Name"/> from the scale target's container env.</summary>
public sealed record AuthEnvironment
{
    public string Parameter { get; init; } = "";
    public string Name { get; init; } = "";
    public string? ContainerName { get; init; }
}

public sealed record AuthSecretTargetRef
{
    public string Parameter { get; init; } = "";
    public string Name { get; init; } = "";
    public string Key { get; init; } = "";
}
