namespace Tributary.Orchestrations;

/// <summary>
/// How a run's last steps are shaped on one host (issue #17). Each switch is a lever the end-to-end bench turns off
/// (<c>Tributary__RunShape__CommitQueue=false</c> etc.) to show what it pays; every combination gives the same table and aggregate.
/// </summary>
public sealed class RunShapeOptions
{
    /// <summary>
    /// The table commits of one dataset made by this host go through one writer at a time, so concurrent runs on one host
    /// do not lose Delta commit races to each other and re-read the log. Across hosts the optimistic protocol still decides.
    /// </summary>
    public bool CommitQueue { get; set; } = true;

    /// <summary>
    /// Aggregate refreshes of one dataset on this host run one at a time, and each refreshes to the newest curated
    /// version this host committed: refreshes that waited find it already reflected and do nothing.
    /// </summary>
    public bool CoalesceRefreshes { get; set; } = true;

    /// <summary>
    /// With the local DuckDB aggregation, the table commit and the aggregate refresh are one activity (table commit
    /// first, then refresh; the manifest stays last): one engine round trip less per run.
    /// </summary>
    public bool CommitWithRefresh { get; set; } = true;

    /// <summary>
    /// The manifest and, after it, the inputs leaving incoming are one activity: one engine round trip less per run.
    /// </summary>
    public bool ArchiveWithManifest { get; set; } = true;

    /// <summary>
    /// A run whose chunks all fit one small pack (under <see cref="PipelineOptions.PackChunksBelowBytes"/>, as most
    /// one-file runs do) is processed by its planning activity: one engine round trip less per run.
    /// </summary>
    public bool ProcessWithPlan { get; set; } = true;

    /// <summary>
    /// With <see cref="CommitWithRefresh"/> and <see cref="ArchiveWithManifest"/>, a succeeded run's table commit, refresh,
    /// manifest and input moves are one activity (<c>FinishRunActivity</c>): with <see cref="ProcessWithPlan"/>, a small
    /// one-file run is 2 activities. A refresh that fails leaves the manifest to the orchestrator, as before.
    /// </summary>
    public bool FinishInOneActivity { get; set; } = true;
}
