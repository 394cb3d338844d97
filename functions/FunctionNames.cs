using Tributary.Orchestrations.Intake.Backfill;

namespace Tributary.Functions;

/// <summary>
/// Names of the app's trigger functions. The Kubernetes manifests enable and disable functions by these
/// names (AzureWebJobs.{name}.Disabled, AzureFunctionsJobHost__functions__N), so they never change casually.
/// Orchestrator and activity functions are named after their core class (nameof).
/// </summary>
public static class FunctionNames
{
    public const string IncomingBlob = "IncomingBlob";
    public const string IncomingBlobEventGrid = "IncomingBlobEventGrid";
    public const string RerunRun = "RerunRun";
    public const string ReprocessDataset = "ReprocessDataset";
    public const string GetRun = "GetRun";
    public const string ListRuns = "ListRuns";
    public const string CancelRun = "CancelRun";
    public const string GetDataset = "GetDataset";
    public const string BackfillRequest = "BackfillRequest";
    public const string SealBatchWindows = "SealBatchWindows";
    public const string SweepIncoming = "SweepIncoming";
    public const string BatchSeal = "BatchSeal";
    public const string BlobCreated = "BlobCreated";
}
