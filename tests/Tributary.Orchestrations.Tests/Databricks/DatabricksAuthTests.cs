using System.Net;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksAuthTests : IDisposable
{
    private readonly DatabricksJobsSimulator _sim = new();

    public void Dispose() => _sim.Dispose();

    [Fact]
    public async Task Pat_is_sent_as_bearer_token()
    {
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-pat"), IdempotencyToken.FromRunId("r-pat"));

        var entry = Assert.Single(_sim.Server.LogEntries, e => e.RequestMessage.Path == DatabricksJobsSimulator.RunNow);
        Assert.Equal($"Bearer {_sim.Pat}", entry.RequestMessage.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task Wrong_pat_gives_unauthorized_without_retry()
    {
        // A roomy attempt timeout: on a loaded machine the first call can exceed the suite's 2 s, and a timed-out
        // attempt is retried, which is not what this test is about.
        using var sp = TestSupport.Services(_sim, o =>
        {
            o.Token = "dapi-wrong";
            o.HttpAttemptTimeout = TimeSpan.FromSeconds(20);
            o.HttpTotalTimeout = TimeSpan.FromSeconds(40);
        });
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var error = await Assert.ThrowsAsync<DatabricksApiException>(() => client.GetRunAsync(1));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(1, _sim.Requests(DatabricksJobsSimulator.RunsGet));
    }

    [Fact]
    public async Task OAuth_m2m_token_is_requested_once_and_cached()
    {
        using var sp = TestSupport.Services(_sim, o => o.Auth = DatabricksAuthKind.OAuthM2M);
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-oauth"), IdempotencyToken.FromRunId("r-oauth"));
        for (var i = 0; i < 4; i++)
        {
            await client.GetRunAsync(started.DatabricksRunId);
        }

        // A second client instance (new handler chain) still shares the token.
        await sp.GetRequiredService<DatabricksJobsClient>().GetRunAsync(started.DatabricksRunId);

        Assert.Equal(1, _sim.TokenRequests);
        var token = Assert.Single(_sim.IssuedTokens);
        Assert.All(
            _sim.Server.LogEntries.Where(e => e.RequestMessage.Path.StartsWith("/api/", StringComparison.Ordinal)),
            e => Assert.Equal($"Bearer {token}", e.RequestMessage.Headers!["Authorization"].Single()));
        var tokenCall = Assert.Single(_sim.Server.LogEntries, e => e.RequestMessage.Path == DatabricksJobsSimulator.Token);
        Assert.Contains("grant_type=client_credentials", tokenCall.RequestMessage.Body);
        Assert.Contains("scope=all-apis", tokenCall.RequestMessage.Body);
    }

    [Fact]
    public async Task OAuth_m2m_token_is_refreshed_shortly_before_expiry()
    {
        _sim.TokenLifetimeSeconds = 3600;
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        using var http = new HttpClient();
        var source = new OAuthM2MTokenSource(http, new Uri(_sim.Url), _sim.ClientId, _sim.ClientSecret, TimeSpan.FromMinutes(1), clock);

        var first = await source.GetTokenAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(58));
        var stillCached = await source.GetTokenAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(61)); // 59:01 > 60:00 - 1 min skew
        var refreshed = await source.GetTokenAsync(CancellationToken.None);

        Assert.Equal(first, stillCached);
        Assert.NotEqual(first, refreshed);
        Assert.Equal(2, _sim.TokenRequests);
    }

    [Fact]
    public async Task OAuth_m2m_with_wrong_secret_fails_without_leaking_it()
    {
        using var sp = TestSupport.Services(_sim, o =>
        {
            o.Auth = DatabricksAuthKind.OAuthM2M;
            o.ClientSecret = "wrong-secret-value-123";
        });
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var error = await Assert.ThrowsAsync<DatabricksApiException>(() => client.GetRunAsync(1));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.DoesNotContain("wrong-secret-value-123", error.ToString());
    }

    [Fact]
    public async Task Entra_id_token_uses_azure_databricks_scope_and_is_cached()
    {
        var credential = new FakeCredential(_sim.Pat);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDatabricksJobs(
            o =>
            {
                o.WorkspaceUrl = _sim.Url;
                o.JobId = _sim.JobId;
                o.Auth = DatabricksAuthKind.EntraId;
            },
            credential);
        using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-entra"), IdempotencyToken.FromRunId("r-entra"));
        await client.GetRunAsync(started.DatabricksRunId);
        await client.GetRunAsync(started.DatabricksRunId);

        Assert.Equal(1, credential.Calls);
        Assert.Equal(["2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default"], credential.LastScopes);
    }

    [Fact]
    public async Task Secrets_never_appear_in_logs_or_to_string()
    {
        var logs = new CapturingLoggerProvider();
        foreach (var auth in new[] { DatabricksAuthKind.Pat, DatabricksAuthKind.OAuthM2M })
        {
            using var sp = TestSupport.Services(_sim, o => o.Auth = auth, logs);
            var client = sp.GetRequiredService<DatabricksJobsClient>();
            _sim.InjectFaults(DatabricksJobsSimulator.RunsGet, 1, HttpStatusCode.ServiceUnavailable);
            var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters($"r-logs-{auth}"), IdempotencyToken.FromRunId($"r-logs-{auth}"));
            await client.GetRunAsync(started.DatabricksRunId);
            await new StartDatabricksRunActivity(
                    client,
                    sp.GetRequiredService<IOptions<DatabricksJobsOptions>>(),
                    sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<StartDatabricksRunActivity>>())
                .RunAsync(new FakeActivityContext(nameof(StartDatabricksRunActivity)), new StartDatabricksRunInput($"r-logs2-{auth}", TestSupport.JobParameters("x")));
            logs.Lines.Enqueue(sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value.ToString());
            logs.Lines.Enqueue(sp.GetRequiredService<OAuthM2MTokenSource>().ToString());
        }

        var all = logs.All;
        Assert.Contains("run-now", all); // the HttpClient logging did run at Trace level
        Assert.Contains("Retry", all, StringComparison.OrdinalIgnoreCase); // and so did the resilience telemetry
        Assert.DoesNotContain(_sim.Pat, all);
        Assert.DoesNotContain(_sim.ClientSecret, all);
        Assert.NotEmpty(_sim.IssuedTokens);
        foreach (var token in _sim.IssuedTokens)
        {
            Assert.DoesNotContain(token, all);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class FakeCredential(string token) : TokenCredential
    {
        public int Calls { get; private set; }

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            LastScopes = requestContext.Scopes;
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
