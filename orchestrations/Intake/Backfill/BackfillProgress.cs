namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>
/// Custom status (and output) of a backfill: blobs listed, skipped (already processed, or outside the time range),
/// scheduled into runs, and of those done or failed. Generation counts ContinueAsNew restarts.
/// </summary>
public sealed record BackfillProgress(
    string BackfillId,
    string Dataset,
    string Phase,
    int Generation = 0,
    int Pages = 0,
    long Listed = 0,
    long Skipped = 0,
    long Scheduled = 0,
    long Done = 0,
    long Failed = 0,
    int Runs = 0)
{
    public const string Listing = "listing";
    public const string Completed = "done";

    public bool IsFinished => Phase == Completed;
}
