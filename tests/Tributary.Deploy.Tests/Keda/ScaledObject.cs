namespace Tributary.Deploy.Tests.Keda;

// keda.sh/v1alpha1 ScaledObject, limited to the fields KEDA defines: an unknown or misspelt field fails parsing.

public sealed record ScaledObject
{
    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";
    public KedaObjectMeta Metadata { get; init; } = new();
    public ScaledObjectSpec Spec { get; init; } = new();
}

public sealed record ScaledObjectSpec
{
    public ScaleTargetRef? ScaleTargetRef { get; init; }
    public int? PollingInterval { get; init; }
    public int? CooldownPeriod { get; init; }
    public int? InitialCooldownPeriod { get; init; }
    public int? IdleReplicaCount { get; init; }
    public int? MinReplicaCount { get; init; }
    public int? MaxReplicaCount { get; init; }
    public Fallback? Fallback { get; init; }
    public AdvancedConfig? Advanced { get; init; }
    public List<ScaleTrigger> Triggers { get; init; } = [];
}

public sealed record ScaleTargetRef
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public string Name { get; init; } = "";
    public string? EnvSourceContainerName { get; init; }
}

public sealed record Fallback
{
    public int FailureThreshold { get; init; }
    public int Replicas { get; init; }
    public string? Behavior { get; init; }
}

public sealed record AdvancedConfig
{
    public bool? RestoreToOriginalReplicaCount { get; init; }
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; init; }
}

public sealed record HorizontalPodAutoscalerConfig
{
    public string? Name { get; init; }
    public ScalingBehavior? Behavior { get; init; }
}

public sealed record ScalingBehavior
{
    public ScalingRules? ScaleUp { get; init; }
    public ScalingRules? ScaleDown { get; init; }
}

public sealed record ScalingRules
{
    public int? StabilizationWindowSeconds { get; init; }
    public string? SelectPolicy { get; init; }
    public List<ScalingPolicy> Policies { get; init; } = [];
}

public sealed record ScalingPolicy
{
    public string Type { get; init; } = "";
    public int Value { get; init; }
    public int PeriodSeconds { get; init; }
}

public sealed record ScaleTrigger
{
    public string Type { get; init; } = "";
    public string? Name { get; init; }
    public bool? UseCachedMetrics { get; init; }
    public string? MetricType { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public AuthenticationRef? AuthenticationRef { get; init; }
}

public sealed record AuthenticationRef
{
    public string Name { get; init; } = "";
    public string? Kind { get; init; }
}
