namespace Tributary.Orchestrations.Runs;

public static class RunStatus
{
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Running = "Running";
    public const string Pending = "Pending";
    public const string Canceled = "Canceled";
}
