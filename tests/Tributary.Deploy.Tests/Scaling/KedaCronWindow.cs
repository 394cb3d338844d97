using Cronos;
using Tributary.Deploy.Tests.Keda;

namespace Tributary.Deploy.Tests.Scaling;

/// <summary>
/// KEDA's cron scaler (pkg/scalers/cron_scaler.go): with the next start and the next end after now (5-field cron in
/// the trigger's timezone), the window is open when the next end comes before the next start, i.e. a start has
/// passed and its end has not.
/// </summary>
public static class KedaCronWindow
{
    public static bool IsActive(ScaleTrigger trigger, DateTimeOffset at)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(trigger.Metadata["timezone"]);
        var nextStart = Next(trigger.Metadata["start"], at, zone);
        var nextEnd = Next(trigger.Metadata["end"], at, zone);
        return nextEnd < nextStart;
    }

    private static DateTimeOffset Next(string expression, DateTimeOffset at, TimeZoneInfo zone) =>
        CronExpression.Parse(expression, CronFormat.Standard).GetNextOccurrence(at, zone)
        ?? throw new InvalidOperationException($"cron '{expression}' never fires again");
}
