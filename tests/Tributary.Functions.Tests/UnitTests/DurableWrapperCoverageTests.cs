using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Tributary.Functions.Durable;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Runs;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>
/// The Durable Task source generator is not available, so each core orchestrator and activity reaches the
/// Functions host through a hand-written [Function] wrapper. These tests fail when one is missing, is named
/// differently from its class (the name orchestrators call), or binds a different input or output.
/// </summary>
public sealed class DurableWrapperCoverageTests
{
    private static readonly Assembly App = typeof(OrchestratorFunctions).Assembly;

    [Fact]
    public void Every_core_orchestrator_and_activity_has_a_matching_wrapper()
    {
        Assert.Empty(WrapperProblems(TributaryTasks.Orchestrators.Concat(TributaryTasks.Activities), App));
    }

    [Fact]
    public void A_core_task_without_a_wrapper_is_reported()
    {
        var problems = WrapperProblems([typeof(UnwrappedActivity), typeof(UnwrappedOrchestrator)], App);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains(nameof(UnwrappedActivity), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(nameof(UnwrappedOrchestrator), StringComparison.Ordinal));
    }

    [Fact]
    public void A_wrapper_binding_the_wrong_input_type_is_reported()
    {
        // Same name as the core's PlanRunActivity, other types: the app's wrapper no longer fits it.
        var problems = WrapperProblems([typeof(Fixtures.Changed.PlanRunActivity)], App);

        Assert.Contains(problems, p => p.Contains("binds IngestRequest, but PlanRunActivity takes Int32", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("but PlanRunActivity returns Task<String>", StringComparison.Ordinal));
    }

    /// <summary>What is wrong with the wrappers of <paramref name="tasks"/> in <paramref name="assembly"/>; empty when all is well.</summary>
    public static List<string> WrapperProblems(IEnumerable<Type> tasks, Assembly assembly)
    {
        var functions = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(f => f.Attribute is not null)
            .ToDictionary(f => f.Attribute!.Name, f => f.Method);

        var problems = new List<string>();
        foreach (var task in tasks)
        {
            if (!functions.TryGetValue(task.Name, out var wrapper))
            {
                problems.Add($"{task.FullName} has no [Function(\"{task.Name}\")] wrapper");
                continue;
            }

            var (triggerAttribute, generic) = IsOrchestrator(task)
                ? (typeof(OrchestrationTriggerAttribute), typeof(TaskOrchestrator<,>))
                : (typeof(ActivityTriggerAttribute), typeof(TaskActivity<,>));
            var trigger = wrapper.GetParameters().SingleOrDefault(p => p.GetCustomAttribute(triggerAttribute) is not null);
            var types = BaseOf(task, generic)?.GetGenericArguments();
            if (trigger is null || types is null)
            {
                problems.Add($"{wrapper.DeclaringType!.Name}.{wrapper.Name} has no [{triggerAttribute.Name}] parameter for {task.Name}");
                continue;
            }

            if (triggerAttribute == typeof(ActivityTriggerAttribute) && trigger.ParameterType != types[0])
            {
                problems.Add($"{wrapper.Name} binds {trigger.ParameterType.Name}, but {task.Name} takes {types[0].Name}");
            }

            if (wrapper.ReturnType != typeof(Task<>).MakeGenericType(types[1]))
            {
                problems.Add($"{wrapper.Name} returns {wrapper.ReturnType.Name}, but {task.Name} returns Task<{types[1].Name}>");
            }
        }

        return problems;
    }

    private static bool IsOrchestrator(Type task) => BaseOf(task, typeof(TaskOrchestrator<,>)) is not null;

    private static Type? BaseOf(Type type, Type generic)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.GetGenericTypeDefinition() == generic)
            {
                return current;
            }
        }

        return null;
    }

    public sealed class UnwrappedActivity : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
    }

    public sealed class UnwrappedOrchestrator : TaskOrchestrator<string, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, string input) => Task.FromResult(input);
    }
}
