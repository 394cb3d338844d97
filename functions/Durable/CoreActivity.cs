using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Tributary.Functions.Durable;

/// <summary>Runs a core activity class inside an [ActivityTrigger] function, with its services from the invocation's scope.</summary>
public static class CoreActivity
{
    public static Task<TOutput> RunAsync<TActivity, TInput, TOutput>(FunctionContext function, TInput input)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        var activity = ActivatorUtilities.CreateInstance<TActivity>(function.InstanceServices);
        var context = new FunctionActivityContext(typeof(TActivity).Name, InstanceIdOf(function));
        return activity.RunAsync(context, input);
    }

    // The Durable extension puts the orchestration's instance id in the activity trigger's binding data as
    // "InstanceId"; the host's contract ignores case, so this lookup does too.
    private static string InstanceIdOf(FunctionContext function) =>
        function.BindingContext.BindingData
            .FirstOrDefault(entry => string.Equals(entry.Key, "InstanceId", StringComparison.OrdinalIgnoreCase)).Value?.ToString() ?? "";
}
