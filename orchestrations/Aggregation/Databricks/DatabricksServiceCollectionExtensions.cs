using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Registers the Databricks Jobs client, its auth and resilience.</summary>
public static class DatabricksServiceCollectionExtensions
{
    /// <summary>Name of the resilience pipeline of the Jobs API client.</summary>
    public const string JobsPipelineName = "databricks-jobs";

    /// <summary>Name of the HttpClient used for the OAuth token endpoint (no auth handler on it).</summary>
    public const string TokenHttpClientName = "Tributary.Databricks.OAuthToken";

    /// <summary>
    /// Registers <see cref="DatabricksJobsClient"/> (typed HttpClient) bound to a configuration section such as
    /// <c>configuration.GetSection("Databricks")</c>; keys are the property names of <see cref="DatabricksJobsOptions"/>.
    /// For <see cref="DatabricksAuthKind.EntraId"/>, <paramref name="credential"/> defaults to <see cref="DefaultAzureCredential"/>.
    /// </summary>
    public static IHttpClientBuilder AddDatabricksJobs(this IServiceCollection services, IConfiguration section, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<DatabricksJobsOptions>().Bind(section);
        return services.AddDatabricksJobsCore(credential);
    }

    /// <summary>Registers <see cref="DatabricksJobsClient"/> with options set in code.</summary>
    public static IHttpClientBuilder AddDatabricksJobs(this IServiceCollection services, Action<DatabricksJobsOptions> configure, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DatabricksJobsOptions>().Configure(configure);
        return services.AddDatabricksJobsCore(credential);
    }

    private static IHttpClientBuilder AddDatabricksJobsCore(this IServiceCollection services, TokenCredential? credential)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabricksJobsOptions>, DatabricksJobsOptionsValidator>());

        var tokenClient = services.AddHttpClient(TokenHttpClientName)
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(_ => true);
        tokenClient.AddResilienceHandler("databricks-oauth-token", ConfigurePipeline);

        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value;
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new OAuthM2MTokenSource(
                () => factory.CreateClient(TokenHttpClientName), new Uri(o.WorkspaceUrl), o.ClientId!, o.ClientSecret!, o.TokenRefreshSkew);
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value;
            return new EntraIdTokenSource(credential ?? new DefaultAzureCredential(), o.TokenRefreshSkew);
        });

        var jobsClient = services.AddHttpClient<DatabricksJobsClient>((sp, http) =>
            {
                var o = sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value;
                http.BaseAddress = new Uri(o.WorkspaceUrl.TrimEnd('/') + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns the timeouts
            })
            .RedactLoggedHeaders(_ => true);

        // Outermost first: the resilience pipeline wraps the auth handler, so every attempt carries a valid token.
        jobsClient.AddResilienceHandler(JobsPipelineName, ConfigurePipeline);
        jobsClient.AddHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value;
                return o.Auth switch
                {
                    DatabricksAuthKind.Pat => new PatAuthHandler(o.Token!),
                    DatabricksAuthKind.OAuthM2M => new BearerTokenAuthHandler(sp.GetRequiredService<OAuthM2MTokenSource>()),
                    DatabricksAuthKind.EntraId => new BearerTokenAuthHandler(sp.GetRequiredService<EntraIdTokenSource>()),
                    _ => throw new InvalidOperationException($"Unknown Databricks auth kind {o.Auth}."),
                };
            });
        return jobsClient;
    }

    /// <summary>
    /// total timeout → retry (exponential + jitter, Retry-After honoured; 408, 429, 5xx, transport errors, attempt
    /// timeouts; POSTs included: run-now is idempotent through its token, cancel is idempotent) → circuit breaker →
    /// per-attempt timeout.
    /// </summary>
    private static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var o = context.ServiceProvider.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value;
        pipeline
            .AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = o.HttpTotalTimeout })
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = o.HttpMaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.HttpRetryBaseDelay,
                MaxDelay = o.HttpRetryMaxDelay,
                ShouldRetryAfterHeader = true,
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = o.CircuitBreakerFailureRatio,
                MinimumThroughput = o.CircuitBreakerMinimumThroughput,
                SamplingDuration = o.CircuitBreakerSamplingDuration,
                BreakDuration = o.CircuitBreakerBreakDuration,
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = o.HttpAttemptTimeout });
    }
}
