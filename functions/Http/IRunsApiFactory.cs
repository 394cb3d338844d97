using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;

namespace Tributary.Functions.Http;

/// <summary>Builds the runs API over the durable client of one invocation.</summary>
public interface IRunsApiFactory
{
    IRunsApi Create(DurableTaskClient client);
}

/// <summary>
/// Everything in the core that needs the durable client (the runs API, and the intake it starts reruns with) is
/// built here over the invocation's client; DI has no DurableTaskClient in the Functions host.
/// </summary>
internal sealed class ActivatedRunsApiFactory<TRunsApi>(IServiceProvider services) : IRunsApiFactory
    where TRunsApi : class, IRunsApi
{
    public IRunsApi Create(DurableTaskClient client) =>
        ActivatorUtilities.CreateInstance<TRunsApi>(services, client, ActivatorUtilities.CreateInstance<RunIntake>(services, client));
}
