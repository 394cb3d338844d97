using Microsoft.DurableTask;

namespace Tributary.Functions.Durable;

/// <summary>The core activities' view of a Functions activity invocation.</summary>
public sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
