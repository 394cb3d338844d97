using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// What the planner decided for a run: the chunks to process, whole files it quarantined, and the
/// dataset settings the orchestrator needs (it reads no definitions itself: that is I/O).
/// </summary>
/// <param name="Inputs">The run's inputs with their Last-Modified, as the table commit needs them.</param>
/// <param name="CommitWithRefresh">The host's <see cref="RunShapeOptions.CommitWithRefresh"/>, frozen for the run so replays take the same path.</param>
/// <param name="ArchiveWithManifest">The host's <see cref="RunShapeOptions.ArchiveWithManifest"/>, frozen for the run.</param>
/// <param name="FinishInOneActivity">The host's <see cref="RunShapeOptions.FinishInOneActivity"/>, frozen for the run.</param>
/// <param name="Processed">Where the chunks' results are kept when the planning activity processed them itself (<see cref="RunShapeOptions.ProcessWithPlan"/>); null when they are still to process.</param>
/// <param name="AfterCommit">The dataset's <c>input.afterCommit</c>: what happens to the inputs once the run is committed.</param>
public sealed record RunPlan(
    IReadOnlyList<ChunkSpec> Chunks,
    IReadOnlyList<QuarantinedFile> QuarantinedFiles,
    string AggregationEngine,
    double FailureTolerance,
    string? Problem = null,
    IReadOnlyList<IReadOnlyList<int>>? Packs = null,
    string? DefinitionHash = null,
    IReadOnlyList<BlobReference>? Inputs = null,
    string AfterCommit = Datasets.InputLifecycle.Archive,
    bool CommitWithRefresh = false,
    bool ArchiveWithManifest = false,
    StoredChunkResults? Processed = null,
    bool FinishInOneActivity = false)
{
    /// <summary>
    /// The chunk indexes each processing activity takes: small chunks share one activity, because on this engine
    /// storage round-trips per activity, not our code, bound throughput. Without packs, one chunk per activity.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> ActivityPacks => Packs ?? Chunks.Select(c => (IReadOnlyList<int>)[c.Index]).ToList();
}
