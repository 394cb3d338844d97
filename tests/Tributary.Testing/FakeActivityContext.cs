using Microsoft.DurableTask;

namespace Tributary.Testing;

/// <summary>An activity context with a name, for calling an activity's RunAsync directly.</summary>
public sealed class FakeActivityContext(string name, string instanceId = "instance-1") : TaskActivityContext
{
    public override TaskName Name { get; } = new(name);

    public override string InstanceId { get; } = instanceId;
}
