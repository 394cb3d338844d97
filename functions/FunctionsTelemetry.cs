using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Functions;

/// <summary>
/// The Functions app's OpenTelemetry wiring, in one place. host.json sets <c>"telemetryMode": "OpenTelemetry"</c>, so
/// the Functions host exports its own spans and logs through OTLP and the worker's invocation spans join them
/// (<c>UseFunctionsWorkerDefaults</c>). The core's "Tributary" source and meter and the Durable Task SDK's source go
/// to OTLP when the standard OTEL_EXPORTER_OTLP_* variables name an endpoint; nothing is exported otherwise.
/// </summary>
public static class FunctionsTelemetry
{
    private static readonly string[] EndpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    public static bool OtlpEnabled(IConfiguration configuration) =>
        EndpointVariables.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));

    public static IServiceCollection AddTributaryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!OtlpEnabled(configuration))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(TributaryTelemetry.Name, TributaryTelemetry.DurableTaskSource))
            .WithMetrics(meters => meters.AddMeter(TributaryTelemetry.Name, TributaryTelemetry.RuntimeMeter))
            .UseOtlpExporter();
        return services;
    }
}
