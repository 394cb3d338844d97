using Tributary.Orchestrations;

namespace Tributary.Cli.Hosting;

/// <summary>The core's settings (section Tributary) as the host and every command read them.</summary>
public static class PipelineConfiguration
{
    public static PipelineOptions Pipeline(this IConfiguration configuration) =>
        configuration.GetSection(PipelineOptions.Section).Get<PipelineOptions>() ?? new PipelineOptions();
}
