using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Tributary.Orchestrations;

/// <summary>
/// A test-only pause for crash tests: an environment variable set to <c>WHERE:MS</c> (e.g. <c>before:8000</c>) holds the
/// step that long at that point, so a test can SIGKILL the host there. Unset in every deployment, where it costs one
/// environment read.
/// </summary>
public static class TestPause
{
    public static async Task AtAsync(string variable, string where, ILogger? logger, string step, string runId)
    {
        var setting = Environment.GetEnvironmentVariable(variable);
        if (setting?.Split(':') is [var at, var ms] && at == where && int.TryParse(ms, CultureInfo.InvariantCulture, out var millis))
        {
            logger?.LogWarning("Test hook: run {RunId} pauses {Millis} ms {Where} its {Step}", runId, millis, where, step);
            await Task.Delay(millis);
        }
    }
}
