using System.Text;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Settings of the Databricks Jobs integration, bound from the configuration section <c>Databricks</c>
/// (<see cref="SectionName"/>), e.g. <c>Databricks__WorkspaceUrl</c>, <c>Databricks__JobId</c>, <c>Databricks__Auth</c>.
/// Secrets (<see cref="Token"/>, <see cref="ClientSecret"/>) never appear in <see cref="ToString"/>.
/// </summary>
public sealed record DatabricksJobsOptions
{
    /// <summary>Default configuration section name.</summary>
    public const string SectionName = "Databricks";

    /// <summary>Workspace URL, e.g. <c>https://adb-1234567890123456.7.azuredatabricks.net</c>.</summary>
    public string WorkspaceUrl { get; set; } = "";

    /// <summary>Id of the deployed <c>tributary_aggregate</c> job (from <c>databricks bundle summary</c>).</summary>
    public long JobId { get; set; }

    /// <summary>Authentication mode.</summary>
    public DatabricksAuthKind Auth { get; set; } = DatabricksAuthKind.Pat;

    /// <summary>Personal access token (only for <see cref="DatabricksAuthKind.Pat"/>). Secret.</summary>
    public string? Token { get; set; }

    /// <summary>Service principal application/client id (OAuth M2M; optional for Entra ID managed identity).</summary>
    public string? ClientId { get; set; }

    /// <summary>OAuth secret of the Databricks service principal (only for <see cref="DatabricksAuthKind.OAuthM2M"/>). Secret.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Refresh a cached OAuth/Entra token this long before it expires (capped at half its lifetime).</summary>
    public TimeSpan TokenRefreshSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First poll delay of <see cref="DatabricksPollSchedule"/>.</summary>
    public TimeSpan PollIntervalMin { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest poll delay of <see cref="DatabricksPollSchedule"/>.</summary>
    public TimeSpan PollIntervalMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Growth factor of the poll delay per attempt.</summary>
    public double PollBackoffFactor { get; set; } = 1.5;

    /// <summary>Overall time a Databricks run may take before the orchestrator cancels it and fails.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan HttpAttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one API call including all its retries.</summary>
    public TimeSpan HttpTotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Retries of one API call on 408/429/5xx/transport errors/attempt timeouts.</summary>
    public int HttpMaxRetryAttempts { get; set; } = 6;

    /// <summary>Base delay of the exponential retry backoff (a Retry-After header wins when present).</summary>
    public TimeSpan HttpRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of one backoff delay.</summary>
    public TimeSpan HttpRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failure ratio within <see cref="CircuitBreakerSamplingDuration"/> that opens the circuit.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Minimum calls within the sampling window before the breaker may open.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>Sampling window of the circuit breaker.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the circuit stays open.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The poll schedule these options describe.</summary>
    public DatabricksPollSchedule PollSchedule => new(PollIntervalMin, PollIntervalMax, PollBackoffFactor);

    /// <summary>Returns the problems of these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(WorkspaceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("Databricks:WorkspaceUrl must be an absolute https URL.");
        }

        if (JobId <= 0)
        {
            problems.Add("Databricks:JobId must be a positive job id.");
        }

        switch (Auth)
        {
            case DatabricksAuthKind.Pat when string.IsNullOrWhiteSpace(Token):
                problems.Add("Databricks:Token is required when Databricks:Auth is Pat.");
                break;
            case DatabricksAuthKind.OAuthM2M when string.IsNullOrWhiteSpace(ClientId) || string.IsNullOrWhiteSpace(ClientSecret):
                problems.Add("Databricks:ClientId and Databricks:ClientSecret are required when Databricks:Auth is OAuthM2M.");
                break;
        }

        if (PollIntervalMin <= TimeSpan.Zero || PollIntervalMax < PollIntervalMin || PollBackoffFactor < 1.0)
        {
            problems.Add("Databricks poll schedule needs 0 < PollIntervalMin <= PollIntervalMax and PollBackoffFactor >= 1.");
        }

        if (RunTimeout <= TimeSpan.Zero || HttpAttemptTimeout <= TimeSpan.Zero || HttpTotalTimeout < HttpAttemptTimeout)
        {
            problems.Add("Databricks timeouts need RunTimeout > 0 and HttpTotalTimeout >= HttpAttemptTimeout > 0.");
        }

        return problems;
    }

    /// <summary>Printable form without secrets.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("DatabricksJobsOptions { ");
        sb.Append("WorkspaceUrl = ").Append(WorkspaceUrl)
          .Append(", JobId = ").Append(JobId)
          .Append(", Auth = ").Append(Auth)
          .Append(", Token = ").Append(Redact(Token))
          .Append(", ClientId = ").Append(ClientId)
          .Append(", ClientSecret = ").Append(Redact(ClientSecret))
          .Append(", PollIntervalMin = ").Append(PollIntervalMin)
          .Append(", PollIntervalMax = ").Append(PollIntervalMax)
          .Append(", RunTimeout = ").Append(RunTimeout)
          .Append(" }");
        return sb.ToString();
    }

    internal static string Redact(string? secret) => string.IsNullOrEmpty(secret) ? "(none)" : "***";
}
