using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Http;

/// <summary>Builds the runs API over the durable client of one invocation.</summary>
public interface IRunsApiFactory
{
    IRunsApi Create(DurableTaskClient client);
}

internal sealed class ActivatedRunsApiFactory<TRunsApi>(IServiceProvider services) : IRunsApiFactory
    where TRunsApi : class, IRunsApi
{
    public IRunsApi Create(DurableTaskClient client) => ActivatorUtilities.CreateInstance<TRunsApi>(services, client);
}
