namespace Tributary.Deploy.Tests.Keda;

public sealed record KedaObjectMeta
{
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
}
