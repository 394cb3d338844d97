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
    public void Every_core_activity_can_be_built_from_the_app_services()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.TributaryStorage] = "UseDevelopmentStorage=true" })
            .Build();
        var services = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();

        foreach (var activity in TributaryTasks.Activities)
        {
            var built = ActivatorUtilities.CreateInstance(services, activity);
            Assert.IsType(activity, built);
        }
    }

    public sealed class EchoActivity(string dependency) : TaskActivity<int, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, int input) =>
            Task.FromResult($"{context.Name}|{context.InstanceId}|{input}|{dependency}");
    }
}
