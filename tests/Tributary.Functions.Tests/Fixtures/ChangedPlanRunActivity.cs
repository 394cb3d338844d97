using Microsoft.DurableTask;
using Tributary.Orchestrations.Runs;

namespace Tributary.Functions.Tests.Fixtures.Changed;

/// <summary>Stands for the core's PlanRunActivity after a signature change its wrapper did not follow.</summary>
public sealed class PlanRunActivity : TaskActivity<int, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
