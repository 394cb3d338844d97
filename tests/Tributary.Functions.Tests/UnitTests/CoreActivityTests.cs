using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Functions.Durable;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>The activity wrappers build core activities from the app's services and give them their invocation's identity.</summary>
public sealed class CoreActivityTests
{
    [Theory]
    [InlineData("InstanceId")]
    [InlineData("instanceId")]
    public async Task The_core_activity_gets_its_name_the_orchestration_instance_and_the_input(string key)
    {
        var context = new FakeFunctionContext { InstanceServices = new ServiceCollection().AddSingleton("from DI").BuildServiceProvider() };
        ((FakeBindingContext)context.BindingContext).Data[key] = "taxi-0123";

        var answer = await CoreActivity.RunAsync<EchoActivity, int, string>(context, 42);

        Assert.Equal("EchoActivity|taxi-0123|42|from DI", answer);
    }

    [Fact]
    public void With_a_Databricks_section_every_core_activity_can_be_built_from_the_app_services()
    {
        var services = AppServices(new()
        {
            ["Databricks:WorkspaceUrl"] = "https://adb-1234567890123456.7.azuredatabricks.net",
            ["Databricks:JobId"] = "42",
            ["Databricks:Token"] = "dapi-not-a-real-token",
        });

        foreach (var activity in TributaryTasks.Activities)
        {
            Assert.IsType(activity, ActivatorUtilities.CreateInstance(services, activity));
        }
    }

    [Fact]
    public void Without_Databricks_only_the_activities_that_call_the_Jobs_API_cannot_be_built()
    {
        var services = AppServices([]);

        var unbuildable = TributaryTasks.Activities.Where(activity =>
        {
            try
            {
                ActivatorUtilities.CreateInstance(services, activity);
                return false;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        });

        // The orchestrator never schedules these when no Databricks engine is configured.
        Assert.Equal(["CancelDatabricksRunActivity", "GetDatabricksRunActivity", "StartDatabricksRunActivity"], unbuildable.Select(t => t.Name).Order());
    }

    private static ServiceProvider AppServices(Dictionary<string, string?> settings)
    {
        settings[AppSettings.TributaryStorage] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();
    }

    public sealed class EchoActivity(string dependency) : TaskActivity<int, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, int input) =>
            Task.FromResult($"{context.Name}|{context.InstanceId}|{input}|{dependency}");
    }
}
