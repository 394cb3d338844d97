using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's OpenTelemetry wiring, in one place. Traces and metrics of the core's "Tributary" source and
/// meter, and the Durable Task SDK's own source (so orchestration, activity and our spans share a trace), go to OTLP
/// when the standard OTEL_EXPORTER_OTLP_* variables name an endpoint; `serve` also answers Prometheus scrapes on
/// /metrics. Metrics include .NET's runtime meter (working set, GC heap, CPU). Without either, no provider is built and nothing is exported.
/// </summary>
public static class TelemetrySetup
{
    public const string DefaultServiceName = "tributary";

    /// <summary>True when an OTLP endpoint is configured for <paramref name="signal"/> (TRACES, METRICS or LOGS) or for all signals.</summary>
    public static bool OtlpEnabled(IConfiguration configuration, string signal) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);

    /// <summary>Traces and metrics to OTLP, in the host that runs the worker and the durable client.</summary>
    public static IServiceCollection AddTributaryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var traces = OtlpEnabled(configuration, "TRACES");
        var metrics = OtlpEnabled(configuration, "METRICS");
        if (!traces && !metrics)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => Describe(resource, configuration));
        if (traces)
        {
            telemetry.WithTracing(tracing => tracing.AddTributarySources().AddOtlpExporter());
        }

        if (metrics)
        {
            telemetry.WithMetrics(meters => meters.AddMeter(TributaryTelemetry.Name, TributaryTelemetry.RuntimeMeter).AddOtlpExporter());
        }

        return services;
    }

    /// <summary>The sources whose spans make up a run's trace: ours and the Durable Task SDK's (orchestration and activity spans).</summary>
    public static TracerProviderBuilder AddTributarySources(this TracerProviderBuilder tracing) =>
        tracing.AddSource(TributaryTelemetry.Name, TributaryTelemetry.DurableTaskSource);

    /// <summary>Log records (with their scopes: RunId, Dataset) to OTLP when an endpoint is configured for logs.</summary>
    public static ILoggingBuilder AddTributaryTelemetry(this ILoggingBuilder logging, IConfiguration configuration)
    {
        if (OtlpEnabled(configuration, "LOGS"))
        {
            logging.AddOpenTelemetry(otel =>
            {
                otel.IncludeScopes = true;
                otel.SetResourceBuilder(Describe(ResourceBuilder.CreateDefault(), configuration));
                otel.AddOtlpExporter();
            });
        }

        return logging;
    }

    /// <summary>
    /// The Prometheus exporter for serve's HTTP server: a meter provider of its own (the worker host's exports to OTLP
    /// only), read on every scrape of /metrics.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => Describe(resource, configuration))
            .WithMetrics(meters => meters.AddMeter(TributaryTelemetry.Name, TributaryTelemetry.RuntimeMeter).AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// /metrics, unauthenticated like /openapi: only /api needs a key. The server listens on 127.0.0.1 only, a
    /// Prometheus scraper sends no API key, and the metrics carry dataset names and counts, never data.
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }

    /// <summary>service.name is OTEL_SERVICE_NAME when set (the SDK reads it), else "tributary".</summary>
    private static ResourceBuilder Describe(ResourceBuilder resource, IConfiguration? configuration)
    {
        var named = !string.IsNullOrWhiteSpace(configuration?["OTEL_SERVICE_NAME"] ?? Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"));
        return named ? resource : resource.AddService(DefaultServiceName, serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString());
    }
}
