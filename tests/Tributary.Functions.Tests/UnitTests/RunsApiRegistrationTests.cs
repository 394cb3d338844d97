using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Functions.Http;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Intake.Backfill;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>
/// The HTTP and backfill functions need an <see cref="IRunsApiFactory"/>. The runs API's implementation lives in
/// the core; as soon as the core has one, the app must register it (services.AddRunsApi&lt;T&gt;()).
/// </summary>
public sealed class RunsApiRegistrationTests
{
    [Fact]
    public void The_app_registers_the_core_runs_api_once_the_core_has_one()
    {
        var implementations = typeof(IRunsApi).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRunsApi).IsAssignableFrom(t))
            .ToList();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.TributaryStorage] = "UseDevelopmentStorage=true" })
            .Build();
        var services = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration);

        var registered = services.Any(s => s.ServiceType == typeof(IRunsApiFactory));

        Assert.True(
            registered == (implementations.Count > 0),
            implementations.Count > 0
                ? $"the core implements IRunsApi ({string.Join(", ", implementations.Select(t => t.Name))}): register it in FunctionsServices.AddTributaryFunctions with services.AddRunsApi<T>()"
                : "an IRunsApiFactory is registered, but the core has no IRunsApi implementation");
    }

    [Fact]
    public void The_registered_runs_api_builds_from_the_app_services_over_an_invocation_client()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.TributaryStorage] = "UseDevelopmentStorage=true" })
            .Build();
        var provider = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();

        var api = provider.GetRequiredService<IRunsApiFactory>().Create(new Fixtures.FakeDurableTaskClient());

        Assert.IsType<RunsApi>(api);
    }

    [Fact]
    public void AddRunsApi_builds_the_api_over_the_invocation_client()
    {
        var client = new Fixtures.FakeDurableTaskClient();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.TributaryStorage] = "UseDevelopmentStorage=true" })
            .Build();
        var provider = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration)
            .AddSingleton("dependency from DI").AddRunsApi<ClientCapturingApi>().BuildServiceProvider();

        var api = (ClientCapturingApi)provider.GetRequiredService<IRunsApiFactory>().Create(client);

        Assert.Same(client, api.Client);
        Assert.NotNull(api.Intake);
        Assert.Equal("dependency from DI", api.Dependency);
    }

    public sealed class ClientCapturingApi(Microsoft.DurableTask.Client.DurableTaskClient client, Orchestrations.Intake.RunIntake intake, string dependency) : IRunsApi
    {
        public Microsoft.DurableTask.Client.DurableTaskClient Client { get; } = client;

        public Orchestrations.Intake.RunIntake Intake { get; } = intake;

        public string Dependency { get; } = dependency;

        public Task<ApiResult<RunAccepted>> RerunAsync(string runId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApiResult<RunAccepted>> ReprocessAsync(string dataset, ReprocessRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApiResult<RunStatusResponse>> GetRunAsync(string runId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApiResult<RunListResponse>> ListRunsAsync(string? dataset, string? status, int? top, string? continuation, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApiResult<RunStatusResponse>> CancelRunAsync(string runId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApiResult<RunAccepted>> StartBackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApiResult<DatasetStatusResponse>> GetDatasetAsync(string dataset, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
